// The helper listens on the first free of these ports; the manifest lists exactly these (UXP has no port wildcard).
export const HELPER_PORTS = [48750, 48751, 48752, 48753] as const;
export const HELPER_HOST = "127.0.0.1";

export function helperUrl(port: number, host: string = HELPER_HOST): string {
  return `ws://${host}:${port}/`;
}

/** Ports to try, the preferred one (last that worked, or the harness's) first, without repeats. */
export function candidatePorts(preferred: number | null | undefined, ports: readonly number[] = HELPER_PORTS): number[] {
  const list = preferred ? [preferred, ...ports] : [...ports];
  return [...new Set(list)];
}
