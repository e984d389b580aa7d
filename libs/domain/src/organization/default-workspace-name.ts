const ADJECTIVES = [
  'Agile', 'Amber', 'Ample', 'Bold', 'Brave', 'Bright', 'Brisk', 'Calm', 'Candid', 'Clever', 'Cosmic', 'Crisp', 'Daring', 'Eager', 'Early', 'Epic',
  'Fair', 'Fancy', 'Fast', 'Fierce', 'Fluent', 'Frank', 'Fresh', 'Gentle', 'Glad', 'Golden', 'Grand', 'Happy', 'Hardy', 'Honest', 'Humble', 'Jolly',
  'Keen', 'Kind', 'Lively', 'Loyal', 'Lucky', 'Lunar', 'Merry', 'Mighty', 'Modest', 'Nimble', 'Noble', 'Polite', 'Proud', 'Quick', 'Quiet', 'Rapid',
  'Robust', 'Rosy', 'Royal', 'Sharp', 'Shiny', 'Silent', 'Smart', 'Solar', 'Steady', 'Sunny', 'Swift', 'Tidy', 'Vivid', 'Warm', 'Witty', 'Zesty',
];
const ANIMALS = [
  'Badger', 'Beaver', 'Bison', 'Camel', 'Cheetah', 'Chicken', 'Cobra', 'Condor', 'Coyote', 'Crane', 'Dingo', 'Dolphin', 'Donkey', 'Eagle', 'Falcon', 'Ferret',
  'Finch', 'Fox', 'Gazelle', 'Gecko', 'Gibbon', 'Giraffe', 'Goose', 'Gopher', 'Heron', 'Hippo', 'Ibex', 'Iguana', 'Jackal', 'Jaguar', 'Koala', 'Lemur',
  'Leopard', 'Llama', 'Lobster', 'Lynx', 'Magpie', 'Marmot', 'Meerkat', 'Moose', 'Narwhal', 'Ocelot', 'Octopus', 'Otter', 'Owl', 'Panda', 'Panther', 'Parrot',
  'Pelican', 'Penguin', 'Puffin', 'Quail', 'Rabbit', 'Raven', 'Salmon', 'Seal', 'Sparrow', 'Tapir', 'Tiger', 'Toucan', 'Turtle', 'Walrus', 'Wombat', 'Zebra',
];

/** FNV-1a over UTF-16 code units: small, pure, and the same on every process and version of Node. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A friendly name for an organization's default workspace, like the original's "Robust-Chicken".
 * Derived from the organization id, so every retry of the creation (and every process) proposes
 * the same name; `attempt` > 1 adds a suffix for the rare organization that already uses it.
 */
export function defaultWorkspaceName(organizationId: string, attempt = 1): string {
  const hash = fnv1a(organizationId);
  const name = `${ADJECTIVES[hash % ADJECTIVES.length]}-${ANIMALS[(hash >>> 8) % ANIMALS.length]}`;
  return attempt > 1 ? `${name}-${attempt}` : name;
}
