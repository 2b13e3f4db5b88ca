export const ROOT: string;
export const NODE24: string;
export const CODE_SERVER: string;
export function freePort(): Promise<number>;
export interface CodeServer {
  url: string;
  port: number;
  runDir: string;
  extensionsDir: string;
  stop(): Promise<void>;
}
export function startCodeServer(opts?: { testDriver?: boolean; trust?: boolean; extensions?: string[]; devExtension?: string; log?: (s: string) => void; runDir?: string; port?: number }): Promise<CodeServer>;
