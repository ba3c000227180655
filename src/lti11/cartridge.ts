/**
 * The LTI 1.1 configuration XML of one course (IMS Common Cartridge `cartridge_basiclti_link`, the
 * "paste XML" / "by URL" set-up of Canvas, Blackboard Learn, Sakai and Moodle; src/lti11/README.md). It
 * holds the launch URL, title, description, icon and the `course_id` custom parameter, never the key or
 * secret (the LMS admin enters those). Pure: no Nest, no database.
 */

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface CartridgeInput {
  /** PUBLIC_URL (no trailing slash). */
  publicUrl: string;
  courseId: string;
  title: string;
  description: string | null;
  iconUrl: string;
}

export function cartridgeXml(c: CartridgeInput): string {
  const launchUrl = `${c.publicUrl}/lti/1p1/courses/${encodeURIComponent(c.courseId)}`;
  const secure = launchUrl.startsWith('https://') ? `\n  <blti:secure_launch_url>${xmlText(launchUrl)}</blti:secure_launch_url>` : '';
  const description = c.description?.trim() ? c.description.trim() : `The SCORM course “${c.title}”, hosted by the course provider.`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<cartridge_basiclti_link xmlns="http://www.imsglobal.org/xsd/imslticc_v1p0"
    xmlns:blti="http://www.imsglobal.org/xsd/imsbasiclti_v1p0"
    xmlns:lticm="http://www.imsglobal.org/xsd/imslticm_v1p0"
    xmlns:lticp="http://www.imsglobal.org/xsd/imslticp_v1p0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsglobal.org/xsd/imslticc_v1p0 http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticc_v1p0.xsd http://www.imsglobal.org/xsd/imsbasiclti_v1p0 http://www.imsglobal.org/xsd/lti/ltiv1p0/imsbasiclti_v1p0p1.xsd http://www.imsglobal.org/xsd/imslticm_v1p0 http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticm_v1p0.xsd http://www.imsglobal.org/xsd/imslticp_v1p0 http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticp_v1p0.xsd">
  <blti:title>${xmlText(c.title)}</blti:title>
  <blti:description>${xmlText(description)}</blti:description>
  <blti:icon>${xmlText(c.iconUrl)}</blti:icon>
  <blti:launch_url>${xmlText(launchUrl)}</blti:launch_url>${secure}
  <blti:custom>
    <lticm:property name="course_id">${xmlText(c.courseId)}</lticm:property>
  </blti:custom>
  <blti:extensions platform="canvas.instructure.com">
    <lticm:property name="privacy_level">public</lticm:property>
    <lticm:property name="domain">${xmlText(new URL(c.publicUrl).host)}</lticm:property>
  </blti:extensions>
  <blti:vendor>
    <lticp:code>scorm-lti-bridge</lticp:code>
    <lticp:name>SCORM-to-LTI bridge</lticp:name>
  </blti:vendor>
  <cartridge_bundle identifierref="BLTI001_Bundle"/>
  <cartridge_icon identifierref="BLTI001_Icon"/>
</cartridge_basiclti_link>
`;
}
