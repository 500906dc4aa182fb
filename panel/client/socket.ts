// The WebSocket surface the client needs: UXP's global WebSocket, the browser's and `ws` all have it.
export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export const OPEN = 1;

/** Opens a socket and resolves once it is open; refused, closed or silent for `timeoutMs` rejects. */
export function openSocket(createSocket: SocketFactory, url: string, timeoutMs: number): Promise<SocketLike> {
  return new Promise((resolve, reject) => {
    let socket: SocketLike;
    try {
      socket = createSocket(url);
    } catch (error) {
      reject(error as Error);
      return;
    }
    socket.binaryType = "arraybuffer";
    const timer = setTimeout(() => {
      socket.onopen = socket.onerror = socket.onclose = null;
      socket.close();
      reject(new Error(`${url}: no answer`));
    }, timeoutMs);
    socket.onopen = () => {
      clearTimeout(timer);
      resolve(socket);
    };
    socket.onerror = socket.onclose = () => {
      clearTimeout(timer);
      socket.onopen = socket.onerror = socket.onclose = null;
      reject(new Error(`${url}: refused`));
    };
  });
}
