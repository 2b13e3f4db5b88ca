// The signals the CLI treats as "stop now" (Ctrl+C, a kill, the terminal closing) and their
// conventional exit codes (128 + the signal number), for the generic handler in main.ts and for
// the commands that run an external tool and must end its process group first.
export const SIGNAL_EXIT = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT;
export const STOP_SIGNALS = Object.keys(SIGNAL_EXIT) as StopSignal[];

export interface SignalCancel {
  /** Resolves on the first stop signal: pass it to runTool as `cancel`. */
  cancelled: Promise<void>;
  /** The first stop signal received, if any. */
  signalled: () => StopSignal | undefined;
  /** Removes the handlers (call in `finally`). */
  dispose: () => void;
}

/** For commands that own signals: a stop signal cancels their tool run instead of exiting at once. */
export function cancelOnSignals(): SignalCancel {
  let signalled: StopSignal | undefined;
  let cancel!: () => void;
  const cancelled = new Promise<void>((resolve) => (cancel = resolve));
  const onSignal = (sig: NodeJS.Signals): void => {
    signalled ??= sig as StopSignal;
    cancel();
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  return { cancelled, signalled: () => signalled, dispose: () => STOP_SIGNALS.forEach((sig) => process.off(sig, onSignal)) };
}
