// evolver's internal hook for `openclaw hooks enable evolver-reminder`: the bootstrap reminder alone,
// for those who enable hooks but not plugins. The work is shared with the plugin.

import { bootstrap } from "../evolver.js";

const say = (line) => console.warn(`[evolver] ${line}`);

export default async function handler(event) {
  try {
    await bootstrap(event, { say });
  } catch (err) {
    say(`agent:bootstrap: ${err?.message ?? err}`);
  }
}
