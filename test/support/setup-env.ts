import 'reflect-metadata';
// Tests are silent unless LOG=1.
if (!process.env.LOG) {
  process.env.LOG_LEVEL = 'silent';
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // a known notice (README "Object storage"), not a test failure
