// Matching helper messages to what is waiting for them: requests by their requestId, and the connection steps
// without one (welcome after hello, paired after pair) by the kind of message.
import type { HelperMessage } from "../../shared/protocol.js";

interface Waiter {
  accept: (message: HelperMessage) => boolean;
  resolve: (message: HelperMessage) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class Replies {
  private readonly requests = new Map<string, Waiter>();
  private steps: Waiter[] = [];

  /** Waits for the reply to `requestId` that `accept` takes; rejects with `onTimeout()` after `timeoutMs`. */
  request(requestId: string, accept: (m: HelperMessage) => boolean, timeoutMs: number, onTimeout: () => Error): Promise<HelperMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(requestId);
        reject(onTimeout());
      }, timeoutMs);
      this.requests.set(requestId, { accept, resolve, reject, timer });
    });
  }

  cancelRequest(requestId: string): void {
    const waiter = this.requests.get(requestId);
    if (waiter) clearTimeout(waiter.timer);
    this.requests.delete(requestId);
  }

  /** Waits for the next message `accept` takes (a connection step); rejects after `timeoutMs`. */
  step(accept: (m: HelperMessage) => boolean, timeoutMs: number): Promise<HelperMessage> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        accept,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.steps = this.steps.filter((w) => w !== waiter);
          reject(new Error("no reply"));
        }, timeoutMs),
      };
      this.steps.push(waiter);
    });
  }

  /**
   * Hands the message to whatever waits for it. `request`: it answered a request; `step`: a connection step took
   * it (and nothing else should).
   */
  settle(message: HelperMessage): { request: boolean; step: boolean } {
    const requestId = "requestId" in message ? message.requestId : undefined;
    const pending = requestId ? this.requests.get(requestId) : undefined;
    let request = false;
    if (requestId && pending?.accept(message)) {
      clearTimeout(pending.timer);
      this.requests.delete(requestId);
      pending.resolve(message);
      request = true;
    }
    const step = this.steps.find((w) => w.accept(message));
    if (step) {
      clearTimeout(step.timer);
      this.steps = this.steps.filter((w) => w !== step);
      step.resolve(message);
    }
    return { request, step: step !== undefined };
  }

  failSteps(reason: Error): void {
    for (const waiter of this.steps.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(reason);
    }
  }

  failAll(reason: Error): void {
    for (const [id, waiter] of this.requests) {
      clearTimeout(waiter.timer);
      waiter.reject(reason);
      this.requests.delete(id);
    }
    this.failSteps(reason);
  }
}
