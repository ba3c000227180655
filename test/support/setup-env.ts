import 'reflect-metadata';
// Tests are silent unless LOG=1 (STYLE §4.5).
if (!process.env.LOG) {
  process.env.LOG_LEVEL = 'silent';
}
