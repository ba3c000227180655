import { IsIn, IsOptional, IsString } from 'class-validator';
import { FieldErrorCode } from '../../common/validation';

/** What the Deep Linking course picker posts back (`POST /lti/deep-linking/respond`), from our own form. */
export class PickerSubmission {
  /** The signed picker session the page was built with. */
  @FieldErrorCode('lti_deep_linking_session_invalid')
  @IsString({ message: 'The course picker has expired; open it again from the LMS' })
  session: string;

  @IsOptional()
  @IsIn(['add', 'cancel'])
  action?: 'add' | 'cancel';

  /** One id (radio buttons) or several (checkboxes). */
  @FieldErrorCode('lti_deep_linking_nothing_selected')
  @IsOptional()
  @IsString({ each: true, message: 'Select a course, or press Cancel' })
  course_id?: string | string[];
}
