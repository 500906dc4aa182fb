/** The progress bar of `generate` and `extend` on stderr (cli-progress; silent when stderr is not a terminal). */
import { SingleBar } from "cli-progress";
import type { Progress } from "../render/generator.js";

export class ProgressBar {
  private readonly bar = new SingleBar(
    {
      stream: process.stderr,
      format: "{phase} |{bar}| {percentage}% | window {window} | step {step}/{steps} | ETA {eta}",
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
  );
  private started = false;

  update(progress: Progress): void {
    const payload = {
      phase: progress.phase.padEnd(12),
      window: `${progress.window.index + 1}/${progress.window.count}`,
      step: progress.step,
      steps: progress.steps,
      eta: progress.etaSeconds === null ? "--" : `${Math.ceil(progress.etaSeconds)} s`,
    };
    const value = Math.round(progress.fraction * 1000);
    if (!this.started) {
      this.bar.start(1000, value, payload);
      this.started = true;
    } else this.bar.update(value, payload);
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}
