#!/usr/bin/env node
// The `oauth-connectors` command (npx oauth-connectors ...). Exit codes: 0
// ok, 1 a failure, 2 a usage error. Errors are one line, `error CODE:
// message` (with --json, `{"error":{"code","message"}}` on stdout).
import { Command, CommanderError } from 'commander';
import { CliError, EXIT_USAGE, Output, cliVersion, oneLine } from './common.js';

const wantsJson = process.argv.includes('--json');

const program = new Command();
program
  .name('oauth-connectors')
  .description('Connector files and the connectors server, from the command line')
  .version(cliVersion(), '-v, --version')
  .exitOverride()
  .showSuggestionAfterError()
  .configureOutput({
    outputError: (text) => {
      const message = oneLine(text.trim().replace(/^error: /, ''));
      if (wantsJson) process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message } })}\n`);
      else process.stderr.write(`error USAGE: ${message}\n`);
    },
  });

/** The options every command takes (`where`: the server's; `dir`: the connectors folder). */
function common(cmd, { where = true, dir = false } = {}) {
  if (where) {
    cmd.option('--server <url>', 'the connectors server (else OAUTH_CONNECTORS_URL, else "server" in oauth-connectors.json)');
    cmd.option('--app-id <id>', 'the app id (else OAUTH_CONNECTORS_APP_ID, else "appId" in oauth-connectors.json)');
  }
  if (dir) cmd.option('--dir <folder>', 'the connectors folder (else "connectorsDir" in oauth-connectors.json, else base44/connectors)');
  return cmd.option('--json', 'print machine-readable JSON');
}

/** An action: runs `fn(...args, opts, out)` and sets the exit code; errors become one line. */
function run(load, name) {
  return async (...args) => {
    const cmd = args[args.length - 1];
    const opts = cmd.opts();
    const out = new Output({ json: Boolean(opts.json) });
    try {
      const mod = await load();
      process.exitCode = await mod[name](...args.slice(0, -2), opts, out);
    } catch (error) {
      out.error(error instanceof Error || error?.code ? error : new CliError('INTERNAL', String(error)));
      process.exitCode = typeof error?.exitCode === 'number' ? error.exitCode : 1;
    }
  };
}
const connectors = () => import('./connectors.js');
const types = () => import('./types.js');

const group = program.command('connectors').description('connector files and the server\'s connections');

common(group.command('list-available').description('the server\'s catalog: type, name, connection-config fields'))
  .action(run(connectors, 'listAvailable'));

common(group.command('validate').description('checks the connector files offline: every bad file as file:line:column'), { where: false, dir: true })
  .action(run(connectors, 'validate'));

common(group.command('push').description('connects every connector file at the server (a consent in the browser for new ones); removes upstream connections with no file, after a confirmation'), { dir: true })
  .option('-y, --yes', 'remove upstream connections with no local file without asking')
  .option('--no-open', 'print consent URLs without opening a browser (also BROWSER=none)')
  .option('--timeout <seconds>', 'how long to wait for each consent, in seconds (default 120)')
  .action(run(connectors, 'push'));

common(group.command('pull').description('writes {type}.jsonc for each connection on the server'), { dir: true })
  .action(run(connectors, 'pull'));

common(group.command('list').description('every connection with its status (app-user ones counted per connector)'))
  .option('--users <connectorId>', 'list the app users connected to this connector')
  .action(run(connectors, 'list'));

common(group.command('remove').description('removes a shared connection (its token is revoked at the provider)'))
  .argument('<type>', 'the integration type')
  .option('-y, --yes', 'do not ask for a confirmation')
  .action(run(connectors, 'remove'));

const typesGroup = program.command('types').description('Dynamic Types');
common(typesGroup.command('generate').description('writes the .d.ts that makes a misspelt connector type a compile error'), { where: false, dir: true })
  .option('--out <file>', 'where to write it', 'base44/.types/connectors.d.ts')
  .option('--module-name <name>', 'the module whose registry it augments (@base44/sdk for the SDK\'s)')
  .action(run(types, 'generate'));

// `serve` (cli/serve.js) takes its own options: everything after `serve` is passed through.
program
  .command('serve')
  .description('runs a connectors server (options: oauth-connectors serve --help)')
  .helpOption(false)
  .allowUnknownOption()
  .allowExcessArguments()
  .argument('[options...]')
  .action(async () => {
    // runServe prints its own one-line errors, drains on SIGTERM/SIGINT and sets the exit code.
    const { runServe } = await import('./serve.js');
    await runServe(process.argv.slice(process.argv.indexOf('serve') + 1));
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
    process.exitCode = ok ? 0 : EXIT_USAGE;
  } else {
    new Output({ json: wantsJson }).error(error);
    process.exitCode = 1;
  }
}
