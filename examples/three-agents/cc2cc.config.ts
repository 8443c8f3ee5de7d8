import { defineConfig } from 'cc2cc';
import { requestReply, rooms, topics } from 'cc2cc/plugins';

// Three Claude Code sessions on one project: `backend` writes the code, `tests` writes and
// runs the tests, `reviewer` reads along and reviews. Start each with its name:
//   CC2CC_NAME=backend claude --dangerously-load-development-channels server:cc2cc
export default defineConfig({
  // Known before they first start: a message to one that is not running yet waits for it.
  agents: ['backend', 'tests', 'reviewer'],
  plugins: [
    // room:dev is the working channel; room:reviewers is whoever reviews.
    rooms({ members: { dev: ['backend', 'tests'], reviewers: ['reviewer'] } }),
    // CI jobs publish on topic:ci.<job>; agents follow with the subscribe tool.
    topics(),
    // The request tool: ask and wait for the answer.
    requestReply(),
  ],
  routes: [
    // The reviewer reads along: everything said in room:dev goes to room:reviewers too.
    { match: { to: 'room:dev' }, also: ['room:reviewers'] },
    // And sees every CI result, whoever follows it.
    { match: { to: 'topic:ci.>' }, also: ['room:reviewers'] },
  ],
  delivery: 'auto',
});
