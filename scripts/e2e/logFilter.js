// Decides which workbench console lines are offline noise (marketplace lookups, telemetry, the agent host of
// VS Code 1.139) that would bury the test output; VERBOSE=1 shows everything.
const NOISE = [
  /ENOTFOUND/, /open-vsx\.org/, /events\.data\.microsoft\.com/, /getaddrinfo/,
  /^\[(AgentHost|AgentHost:remote|ChatModelSelection|AccountPolicyGate)\]/, /No signed-in session/,
  /Authentication provider is not ready/, /copilot/i, /Failed to fetch/, /marketplace/i,
  // connection chatter of every start
  /^Resolv(ing|ed) connection token/, /^Creating a socket/, /^\[reconnection-grace-time\]/,
  /^Updating additional builtin extensions cache/, /^\[Service Worker\]/,
  /waiting for authentication provider/, /^Creation of workbench contribution '.*' took \d+ms/,
];

function isNoise(text) {
  if (process.env.VERBOSE === '1') return false;
  return NOISE.some((re) => re.test(text));
}

module.exports = { isNoise };
