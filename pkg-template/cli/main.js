#!/usr/bin/env node
// The oauth-connectors command line (Node 18+).
import { Command } from 'commander';
import { runServe } from './serve.js';

const program = new Command('oauth-connectors').description('OAuth connections for your app: the connectors server and its tools');

program
  .command('serve')
  .description('start the connectors server from the project files and the environment (serve --help for its options)')
  .helpOption(false)
  .allowUnknownOption()
  .allowExcessArguments()
  .argument('[options...]')
  .action(async (options) => runServe(options));

await program.parseAsync(process.argv);
