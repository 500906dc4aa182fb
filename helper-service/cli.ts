/**
 * The `tessera` command: serve | generate | extend | models [install] | engines [add|remove] | history | pair |
 * doctor | service | worker | farm status.
 * Exit codes: 0 only when the command did all it was asked (for generate/extend: a complete file), 2 for bad
 * input (unknown option, bad value, refused prompt or path), 1 for everything else.
 */
import { Command, CommanderError, Option } from "commander";
import { OutputFormatSchema, PROTOCOL_VERSION } from "../shared/protocol.js";
import { packageVersion } from "./server/data-dir.js";
import { EXIT_BAD_INPUT, EXIT_OK, exitCodeFor, parseFps, parseIntOption, parseNumberOption, parseSize, printError } from "./cli/common.js";

/** Set by `serve`, which runs until stopped; every other command exits when its action is done. */
let keepRunning = false;

const program = new Command("tessera")
  .description("Text-to-video generated on this machine, for Premiere Pro.")
  // the helper's version, and the panel protocol it speaks (a panel of another protocol is told which to update)
  .version(`tessera ${packageVersion()} · panel protocol ${PROTOCOL_VERSION} · Node ${process.versions.node}`)
  .showHelpAfterError("(run `tessera help` for the commands)")
  .exitOverride();

const dataDirOption = (): Option => new Option("--data-dir <dir>", "data folder (default: the user config folder)");

function generationOptions(command: Command, defaults: { seconds: string; fps: string; size: string }): Command {
  return command
    .addOption(new Option("--seconds <s>", `length in timecode seconds: 4 at 23.976 is 00:00:04:00, 96 frames (default: ${defaults.seconds})`).argParser(parseNumberOption("--seconds", 0.001, 600)).conflicts("frames"))
    .addOption(new Option("--frames <n>", "length in frames").argParser(parseIntOption("--frames", 1, 100_000)))
    .option("--drop-frame", "count --seconds in drop-frame timecode (29.97 and 59.94 fps)")
    .option("--draft", "a fast draft: a quarter of the steps at the model's smallest size (re-run without it for the final)")
    .addOption(new Option("--fps <rate>", `frame rate: 24, 25, 23.976, 24000/1001, ... (default: ${defaults.fps})`).argParser(parseFps))
    .addOption(new Option("--size <WxH>", `frame size WIDTHxHEIGHT (default: ${defaults.size})`).argParser(parseSize))
    .addOption(new Option("--seed <n>", "seed (default: random)").argParser(parseIntOption("--seed", 0, 0xffffffff)))
    .addOption(new Option("--steps <n>", "denoising steps (default: the model's)").argParser(parseIntOption("--steps", 1, 200)))
    .addOption(new Option("--guidance <g>", "guidance scale (default: the model's)").argParser(parseNumberOption("--guidance", 1, 30)))
    .option("--negative <text>", "negative prompt")
    .option("--model <id>", "model id (default: the default model)")
    .addOption(new Option("--handles <n>", "extra frames before and after").argParser(parseIntOption("--handles", 0, 240)).default(0))
    .addOption(new Option("--format <format>", "h264 | prores | png (default: from --out's extension)").choices(OutputFormatSchema.options))
    .requiredOption("--out <file>", "output file (.mp4 or .mov), or folder for png")
    .addOption(dataDirOption());
}

program
  .command("serve")
  .description("run the helper the Premiere panel connects to")
  .addOption(new Option("--port <port>", "port (default: first free of 48750-48753)").argParser(parseIntOption("--port", 1, 65535)))
  .addOption(dataDirOption())
  .option("--model <dir>", "model package folder (default: models/reference)")
  .option("--harness", "also serve the browser harness of the panel")
  .option("--allow-origin <origin...>", "extra web origins allowed to connect")
  .addOption(new Option("--farm <url>", "run jobs on the studio farm: redis://[user:pass@]host:6379[/db] or rediss://").env("TESSERA_FARM"))
  .option("--farm-ca <file>", "CA certificate of the farm's Redis (rediss://)")
  .option("--farm-listen <host:port>", "where farm workers deliver files (default 0.0.0.0:48760)")
  .option("--farm-advertise <url>", "the delivery URL as workers reach it (default: this machine's LAN address)")
  .option("--farm-tls-cert <file>", "serve deliveries over HTTPS with this certificate")
  .option("--farm-tls-key <file>", "the key of --farm-tls-cert")
  .option("--farm-shared-dir <dir>", "take files from this shared folder instead of over HTTP")
  .option("--farm-token-file <file>", "the studio's farm token (default: DATA_DIR/farm-token)")
  .action(async (options) => {
    keepRunning = true;
    const { serve } = await import("./cli/serve.js");
    await serve(options);
  });

generationOptions(
  program
    .command("generate")
    .description("generate a clip from a prompt")
    .argument("<prompt>", "what the clip shows")
    .option("--loop", "a seamless loop: the last frame flows into the first (no handles)"),
  { seconds: "4", fps: "24", size: "1920x1080" },
).action(async (prompt: string, options) => {
  const { generateCommand } = await import("./cli/generate.js");
  await generateCommand(prompt, options);
});

generationOptions(
  program
    .command("extend")
    .description("continue a clip after its last frame (or before its first)")
    .requiredOption("--source <file>", "the clip to extend")
    .addOption(new Option("--at <end>", "tail: after the clip; head: before it").choices(["tail", "head"]).default("tail"))
    .option("--prompt <text>", "what the new frames show (default: the source's prompt)")
    .addOption(new Option("--audio <mode>", "extend: continue the source's sound under the new frames; none: no sound").choices(["none", "extend"]).default("extend")),
  { seconds: "none, give --seconds or --frames", fps: "the source's", size: "the source's" },
).action(async (options) => {
  const { extendCommand } = await import("./cli/generate.js");
  await extendCommand(options);
});

const models = program
  .command("models")
  .description("list installed models")
  .addOption(dataDirOption())
  .action(async (options) => {
    const { modelsCommand } = await import("./cli/models.js");
    await modelsCommand(options);
  });
models
  .command("install")
  .description("install a model package from a URL or a folder")
  .argument("<source>", "URL or folder of a model package")
  .addOption(dataDirOption())
  .action(async (source: string, options, command: Command) => {
    const { installCommand } = await import("./cli/models.js");
    await installCommand(source, { ...command.parent?.opts(), ...options });
  });

const engines = program
  .command("engines")
  .description("list engine servers (ComfyUI) with their state")
  .addOption(dataDirOption())
  .action(async (options) => {
    const { enginesCommand } = await import("./cli/engines.js");
    await enginesCommand(options);
  });
engines
  .command("add")
  .description("add an engine server: engines add comfyui http://HOST:8188")
  .argument("<kind>", "comfyui")
  .argument("<url>", "the server's address (http or https)")
  .option("--name <name>", "name in model ids, e.g. studio-gpu (default: from the host)")
  .option("--token <token>", "bearer token for a server behind an authenticating proxy (stored mode 0600); - reads it from stdin")
  .addOption(dataDirOption())
  .action(async (kind: string, url: string, options, command: Command) => {
    const { addEngineCommand } = await import("./cli/engines.js");
    await addEngineCommand(kind, url, { ...command.parent?.opts(), ...options });
  });
engines
  .command("remove")
  .description("remove an engine server")
  .argument("<name>", "the engine's name")
  .addOption(dataDirOption())
  .action(async (name: string, options, command: Command) => {
    const { removeEngineCommand } = await import("./cli/engines.js");
    await removeEngineCommand(name, { ...command.parent?.opts(), ...options });
  });

program
  .command("history")
  .description("list past jobs, newest first; TEXT searches prompts")
  .argument("[text]", "words the prompt contains")
  .option("--project <id>", "only jobs of this Premiere project")
  .option("--sequence <id>", "only jobs of this sequence")
  .addOption(new Option("--limit <n>", "how many").argParser(parseIntOption("--limit", 1, 1000)))
  .option("--json", "print JSON")
  .option("--rerun <jobId>", "make that job's clip again (same seed)")
  .option("--variant", "with --rerun: a fresh seed instead")
  .option("--out <file>", "with --rerun: the output file")
  .addOption(dataDirOption())
  .action(async (text: string | undefined, options) => {
    const { historyCommand } = await import("./cli/history.js");
    await historyCommand(text, options);
  });

program
  .command("pair")
  .description("show the pairing code for a new panel")
  .addOption(dataDirOption())
  .action(async (options) => {
    const { pairCommand } = await import("./cli/pair.js");
    await pairCommand(options);
  });

program
  .command("worker")
  .description("run farm jobs on this machine's generator (a GPU box of the studio farm)")
  .addOption(new Option("--farm <url>", "the farm's Redis: redis://[user:pass@]host:6379[/db] or rediss://").env("TESSERA_FARM").makeOptionMandatory())
  .option("--farm-ca <file>", "CA certificate of the farm's Redis (rediss://)")
  .option("--engine <list>", "engines whose models it runs: onnx, comfyui, comfyui:NAME (comma-separated; default: all this data dir has)")
  .addOption(new Option("--concurrency <n>", "jobs at once (one per GPU)").argParser(parseIntOption("--concurrency", 1, 16)).default(1))
  .option("--name <name>", "worker name in farm status (default: host-pid)")
  .option("--farm-token-file <file>", "the helper's DATA_DIR/farm-token (or set TESSERA_FARM_TOKEN)")
  .option("--upload-ca <file>", "CA certificate of the helper's HTTPS delivery endpoint")
  .option("--shared-dir <dir>", "write files into this shared folder instead of sending them")
  .option("--model <dir>", "model package folder (default: models/reference)")
  .addOption(dataDirOption())
  .action(async (options) => {
    keepRunning = true;
    const { workerCommand } = await import("./farm/commands.js");
    await workerCommand(options);
  });

program
  .command("farm")
  .description("the studio farm")
  .command("status")
  .description("workers (devices, models, jobs) and queue counts")
  .addOption(new Option("--farm <url>", "the farm's Redis").env("TESSERA_FARM").makeOptionMandatory())
  .option("--farm-ca <file>", "CA certificate of the farm's Redis (rediss://)")
  .option("--json", "print JSON")
  .action(async (options) => {
    const { farmStatusCommand } = await import("./farm/commands.js");
    await farmStatusCommand(options);
  });

program
  .command("doctor")
  .description("check ffmpeg, device, models, port and token")
  .addOption(dataDirOption())
  .action(async (options) => {
    const { doctorCommand } = await import("./cli/doctor.js");
    await doctorCommand(options);
  });

const service = program.command("service").description("start the helper at every login: install | uninstall | status");
for (const [name, description] of [
  ["install", "start the helper at every login (systemd user unit, LaunchAgent or Startup entry), and now"],
  ["uninstall", "stop starting the helper at login"],
  ["status", "say whether the helper starts at login and whether it is running"],
] as const) {
  service
    .command(name)
    .description(description)
    .addOption(dataDirOption())
    .action(async (options) => {
      const commands = await import("./cli/service.js");
      const run = { install: commands.serviceInstall, uninstall: commands.serviceUninstall, status: commands.serviceStatus }[name];
      await run(options);
    });
}

async function main(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Asked-for help and --version end with 0; a parse error, or no command at all, is bad input.
      process.exit(error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT);
    }
    printError(error);
    process.exit(exitCodeFor(error));
  }
  // serve keeps running; every other command ends here even if a library left a handle open.
  if (!keepRunning) process.exit(process.exitCode ?? EXIT_OK);
}

await main(process.argv);
