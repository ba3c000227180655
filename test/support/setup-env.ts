import 'reflect-metadata';
// Tests are silent unless LOG=1.
if (!process.env.LOG) {
  process.env.LOG_LEVEL = 'silent';
}
