/**
 * Every stable error code this tool answers in `{ "error": "<code>", "message": "<sentence>" }` (or
 * shows on an error page). Clients, tests and the certification logs key on these strings, so they
 * are listed once here: the error classes take an `ErrorCode`, and a new code has to be added below
 * before it can be thrown. Grouped by the part of the tool that raises them.
 */
export type ErrorCode =
  | HttpErrorCode
  | ValidationErrorCode
  | AdminErrorCode
  | CourseErrorCode
  | CustomerErrorCode
  | LicenceErrorCode
  | DispatchErrorCode
  | Lti11CredentialErrorCode
  | PackageErrorCode
  | RuntimeErrorCode
  | GradeErrorCode
  | InstructorErrorCode
  | LtiErrorCode;

/** Generic answers for a bare HTTP status (framework 404s, body too large, …) and the last-resort 500. */
export type HttpErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'too_many_requests'
  | 'internal_error'
  | 'wrong_origin';

/** A request body or query the DTO validation refused (`src/common/validation.ts`). */
export type ValidationErrorCode = 'invalid_body' | 'invalid_query';

/** Console sign-in, CSRF and the console's static files. */
export type AdminErrorCode = 'json_required' | 'cross_origin_refused' | 'csrf_token_invalid' | 'asset_not_found' | 'sign_in_rate_limited';

export type CourseErrorCode =
  | 'course_not_found'
  | 'course_archived'
  | 'course_duplicate'
  | 'course_in_use'
  | 'invalid_course_update'
  | 'invalid_grade_policy'
  | 'platform_not_found'
  | 'platform_exists'
  | 'platform_invalid'
  | 'course_id_required';

/** Customers (client organisations) and their registration links (`src/customers`). */
export type CustomerErrorCode =
  | 'customer_not_found'
  | 'customer_invalid'
  | 'customer_in_use'
  | 'registration_link_not_found'
  | 'registration_link_invalid';

/** Licences of customers for courses (`src/licences`). */
export type LicenceErrorCode = 'licence_not_found' | 'licence_invalid';

/** Dispatch packages for SCORM-only LMSs (`src/dispatch`): the admin API and the launch from an imported package. */
export type DispatchErrorCode =
  | 'dispatch_not_found'
  | 'dispatch_invalid'
  | 'dispatch_course_unlicensed'
  | 'dispatch_unknown'
  | 'dispatch_revoked'
  | 'dispatch_launch_invalid';

/** LTI 1.1 consumer keys of customers (`src/lti11`). */
export type Lti11CredentialErrorCode = 'lti11_credential_not_found' | 'lti11_credential_invalid' | 'lti11_cartridge_invalid';

/** Upload and import of a SCORM package (the zip, its manifest). */
export type PackageErrorCode =
  | 'multipart_required'
  | 'bad_multipart'
  | 'package_missing'
  | 'package_too_large'
  | 'unexpected_field'
  | 'upload_failed'
  | 'storage_unavailable'
  | 'not_a_zip'
  | 'zip_bomb'
  | 'zip_duplicate_entry'
  | 'zip_encrypted'
  | 'zip_entry_not_found'
  | 'zip_entry_too_large'
  | 'zip_size_mismatch'
  | 'zip_symlink'
  | 'zip_too_large_unpacked'
  | 'zip_too_many_entries'
  | 'zip_truncated'
  | 'zip_unsafe_path'
  | 'zip_unsupported_compression'
  | 'manifest_missing'
  | 'manifest_ambiguous'
  | 'manifest_malformed'
  | 'manifest_invalid'
  | 'manifest_unsafe_href'
  | 'launch_target_missing'
  | 'no_launchable_item';

/** The player, course files and the SCORM runtime API on the content origin. */
export type RuntimeErrorCode =
  | 'attempt_not_found'
  | 'attempt_mismatch'
  | 'sco_not_found'
  | 'commit_invalid'
  | 'location_too_large'
  | 'suspend_data_too_large'
  | 'sequencing_state_invalid'
  | 'sequencing_state_too_large'
  | 'sequencing_not_used'
  | 'launch_code_invalid'
  | 'runtime_token_invalid'
  | 'runtime_token_expired'
  | 'content_grant_invalid'
  | 'content_grant_expired'
  | 'player_not_built';

export type GradeErrorCode = 'grade_delivery_not_found' | 'grade_delivery_changed' | 'grade_delivery_in_flight';

/** The instructor view of a link (src/instructor): its launch-issued token is not ours or is past its time. */
export type InstructorErrorCode = 'instructor_view_invalid' | 'instructor_view_expired';

/** Refused LTI messages (docs/lti-launch-checks.md names them; the certification suite wants them logged). */
export type LtiErrorCode =
  | 'lti_alg_not_allowed'
  | 'lti_aud_mismatch'
  | 'lti_azp_mismatch'
  | 'lti_course_missing'
  | 'lti_course_not_found'
  | 'lti_customer_suspended'
  | 'lti_deep_linking_course_archived'
  | 'lti_deep_linking_forbidden'
  | 'lti_deep_linking_nothing_selected'
  | 'lti_deep_linking_session_invalid'
  | 'lti_deep_linking_settings_missing'
  | 'lti_deep_linking_single_only'
  | 'lti_deployment_mismatch'
  | 'lti_deployment_missing'
  | 'lti_deployment_unknown'
  | 'lti_iss_mismatch'
  | 'lti_jwks_unavailable'
  | 'lti_kid_missing'
  | 'lti_kid_unknown'
  | 'lti_licence_expired'
  | 'lti_licence_missing'
  | 'lti_licence_not_started'
  | 'lti_licence_revoked'
  | 'lti_licence_seats_full'
  | 'lti_licence_suspended'
  | 'lti_login_params_missing'
  | 'lti_login_rate_limited'
  | 'lti_message_type_unsupported'
  | 'lti_migration_signature_invalid'
  | 'lti_nonce_invalid'
  | 'lti_nonce_replayed'
  | 'lti_platform_error'
  | 'lti_platform_unassigned'
  | 'lti_registration_ambiguous'
  | 'lti_registration_duplicate'
  | 'lti_registration_failed'
  | 'lti_registration_invalid'
  | 'lti_registration_issuer_mismatch'
  | 'lti_registration_link_expired'
  | 'lti_registration_link_revoked'
  | 'lti_registration_link_unknown'
  | 'lti_registration_link_used'
  | 'lti_registration_unreachable'
  | 'lti_resource_link_missing'
  | 'lti_roles_missing'
  | 'lti_signature_invalid'
  | 'lti_state_invalid'
  | 'lti_sub_missing'
  | 'lti_target_link_uri_invalid'
  | 'lti_target_link_uri_mismatch'
  | 'lti_token_expired'
  | 'lti_token_iat_invalid'
  | 'lti_token_malformed'
  | 'lti_unknown_client'
  | 'lti_unknown_issuer'
  | 'lti_version_missing'
  | 'lti_version_wrong'
  | Lti11LaunchErrorCode;

/** Refused LTI 1.1 launches (docs/lti-launch-checks.md §6). */
export type Lti11LaunchErrorCode =
  | 'lti11_launch_rate_limited'
  | 'lti11_params_missing'
  | 'lti11_signature_method_unsupported'
  | 'lti11_consumer_unknown'
  | 'lti11_consumer_revoked'
  | 'lti11_timestamp_invalid'
  | 'lti11_signature_invalid'
  | 'lti11_nonce_replayed'
  | 'lti11_message_type_unsupported'
  | 'lti11_version_wrong'
  | 'lti11_resource_link_missing'
  | 'lti11_user_missing';
