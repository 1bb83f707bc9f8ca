// A real Unleash server for shipdeck's tests, started by tests/common/unleash.rs:
//   PORT=4242 DATABASE_URL=postgres://… INIT_ADMIN_API_TOKENS='*:*.<secret>' node server.js
// Listens on 127.0.0.1:$PORT only. Authentication is Unleash's open-source mode: the API
// wants a token (a missing or unknown one gets 401); the admin token comes from
// INIT_ADMIN_API_TOKENS, which 7.5 still honours (inserted when the database has no token
// yet). Nothing leaves the machine: no version check, no telemetry.
// Prints one line on stdout once it listens:  unleash-ready http://127.0.0.1:PORT
// Stops on SIGTERM/SIGINT (Unleash's graceful shutdown) and, with EXIT_ON_STDIN_EOF=1, when
// its stdin closes, so that a test process that dies cannot leave it running.
// Exit codes: 2 = missing setting, 3 = port in use, 1 = any other start failure.

process.env.SEND_TELEMETRY = 'false';
process.env.CHECK_VERSION = 'false';
process.env.SCARF_ANALYTICS = 'false';
process.env.DO_NOT_TRACK = '1';
process.env.TZ = 'UTC';

for (const name of ['PORT', 'DATABASE_URL', 'INIT_ADMIN_API_TOKENS']) {
  if (!process.env[name]) {
    console.error(`server.js: ${name} is not set`);
    process.exit(2);
  }
}

const { start, LogLevel } = await import('unleash-server');

const port = Number.parseInt(process.env.PORT, 10);
let unleash;
try {
  unleash = await start({
    db: { ssl: false },
    server: {
      host: '127.0.0.1',
      port,
      unleashUrl: `http://127.0.0.1:${port}`,
      gracefulShutdownEnable: true,
      enableRequestLogger: false,
    },
    authentication: { type: 'open-source', enableApiToken: true, createAdminUser: true },
    versionCheck: { enable: false },
    logLevel: LogLevel[process.env.LOG_LEVEL ?? 'warn'] ?? LogLevel.warn,
  });
} catch (err) {
  if (err && err.code === 'EADDRINUSE') {
    console.error(`server.js: port ${port} is in use`);
    process.exit(3);
  }
  console.error('server.js: unleash failed to start:', err);
  process.exit(1);
}

if (process.env.EXIT_ON_STDIN_EOF === '1') {
  const stop = async () => {
    try {
      await unleash.stop();
    } finally {
      process.exit(0);
    }
  };
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

console.log(`unleash-ready http://127.0.0.1:${unleash.server.address().port}`);
