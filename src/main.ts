import 'reflect-metadata';
import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/app-config';
import { reportReady, runPrimary } from './cluster';
import { missingServerFlags } from './node-flags';
import { AppLogger } from './logging/app-logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (config.workers > 1 && cluster.isPrimary) {
    // The primary writes only a few lifecycle lines (a worker started, ready, died): they are kept
    // at every level but silent, so a LOG_LEVEL quieting the workers' request lines keeps them.
    Logger.overrideLogger(
      config.logLevel === 'silent' ? false : AppLogger.for(config, config.logLevel === 'error' || config.logLevel === 'warn' ? 'log' : config.logLevel),
    );
    await runPrimary(config);
    return;
  }
  // Loaded only here: a configuration error, and the primary of a cluster, need none of the app.
  const { startServer } = await import('./server');
  let server;
  try {
    server = await startServer(config);
  } catch (err) {
    if (err instanceof Error && err.name === 'SqliteInUseError') {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = new Logger('Bootstrap');
  if (cluster.isWorker) {
    reportReady(config);
  } else {
    logger.log(`App origin (console, API, LTI) listening on ${config.publicUrl}`);
    logger.log(`Content origin (player, course files) listening on ${config.contentUrl}`);
    const missing = missingServerFlags();
    if (missing.length) {
      logger.log(`Node was started without ${missing.join(' ')}: after a quiet spell requests cost more CPU (npm start passes it; docs/deployment.md)`);
    }
  }
  // The first signal stops gracefully (STOP_GRACE_SECONDS for the requests under way); in one
  // process a second cuts. A worker ignores it: Ctrl-C reaches it and its primary, which then sends
  // SIGTERM too (and cuts the workers itself on a second signal, src/cluster.ts).
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (!cluster.isWorker) {
        process.stderr.write(`${signal} again: stopping now\n`);
        process.exit(1);
      }
      return;
    }
    stopping = true;
    logger.log(`${signal}: stopping; the requests under way have up to ${config.stopGraceMs / 1000} s (STOP_GRACE_SECONDS)`);
    void server.close(config.stopGraceMs).then(() => {
      logger.log('stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
