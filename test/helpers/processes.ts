// Process checks shared by unit and e2e tests.

/** Whether a process with this pid exists (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of the group led by `pid` is still alive (the trainer and CLI clients start their own groups). */
export function groupAlive(pid: number): boolean {
  return isAlive(-pid);
}
