import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { homedir } from 'node:os';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { Cc2ccError, assertAgentName, type Envelope, type Logger } from '../../src/plugin.js';
import { canonicalJson } from './canonical.js';
import { loadOrCreate, readKeyFile, type KeyFileSpec } from './key-file.js';

/** `sig` of a message signed with an agent's own key. */
const PREFIX = 'ed25519:';

/**
 * Per-agent Ed25519 keys. Each agent's private key is made at its first start in
 * `<keysDir>/<project hash>/<agent>.key` (mode 0600; `keysDir` is outside the bus folder:
 * `$CC2CC_KEYS_DIR`, else `$XDG_CONFIG_HOME/cc2cc/keys`, else `~/.config/cc2cc/keys`), and
 * its public key is published in the bus State (`published-keys.ts`). A receiver trusts the
 * first public key it sees for a name and pins it in `known/<agent>.pub` next to its own
 * keys, so a key replaced later in the shared bus state is refused, not believed.
 */
export class AgentKeys {
  private readonly privateKeys = new Map<string, Promise<KeyObject>>();
  private readonly pins = new Map<string, string>();

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** The folder for one project's keys; refuses one inside the bus folder. */
  static folder(root: string, keysDir: string = defaultKeysDir()): string {
    const inside = relative(resolve(root), resolve(keysDir));
    if (!inside.startsWith('..') && !isAbsolute(inside)) {
      throw new Cc2ccError(
        'INVALID_CONFIG',
        `signing keysDir ${keysDir} is inside the bus folder ${root}: anyone who can read the bus ` +
          `could sign; put it elsewhere (default ~/.config/cc2cc/keys)`,
      );
    }
    const project = createHash('sha256').update(resolve(root)).digest('hex').slice(0, 16);
    return join(resolve(keysDir), project);
  }

  /** `ed25519:<spki base64url>` of `agent`'s key, made if it has none yet. */
  async publicKey(agent: string): Promise<string> {
    return (
      PREFIX +
      createPublicKey(await this.privateKey(agent))
        .export({ format: 'der', type: 'spki' })
        .toString('base64url')
    );
  }

  /** Sign as the envelope's sender, with that sender's private key on this machine. */
  async sign(envelope: Envelope): Promise<string> {
    const key = await this.privateKey(envelope.from);
    return PREFIX + sign(null, signedBytes(envelope), key).toString('base64url');
  }

  /**
   * Undefined when `envelope` was signed by its sender's key; else why not. `published`
   * reads the key the sender published now (asked only when no key is pinned yet, or when
   * the pinned one does not verify).
   */
  async check(envelope: Envelope, published: () => Promise<string | undefined>): Promise<string | undefined> {
    const sig = envelope.sig ?? '';
    if (!sig.startsWith(PREFIX))
      return 'signed with the project key, but this agent takes only per-agent keys (signing keys: "agent")';
    const from = envelope.from;
    let pinned = await this.pinned(from);
    if (pinned === undefined) {
      const offered = await published();
      if (offered === undefined || parsePublicKey(offered) === undefined) {
        return (
          `no published key for ${from} (bus state agent/${from}/signing-key): an agent ` +
          `publishes its key when it starts or first sends with signing({ keys: "agent" })`
        );
      }
      pinned = await this.pin(from, offered);
    }
    if (verifies(envelope, sig, pinned)) return undefined;
    const now = await published();
    if (now !== undefined && now !== pinned) {
      return (
        `${from} now publishes another key than the one first seen (pinned in ` +
        `${this.pinPath(from)}): refused as a possible impostor; if ${from} really made a new key, delete that file`
      );
    }
    return `bad signature: not signed by ${from}'s key, or changed after signing`;
  }

  /** Where `agent`'s private key is kept on this machine. */
  keyPath(agent: string): string {
    return join(this.dir, `${assertAgentName(agent)}.key`);
  }

  private privateKey(agent: string): Promise<KeyObject> {
    let key = this.privateKeys.get(agent);
    if (!key) {
      key = loadOrCreate(this.keyPath(agent), this.logger, PRIVATE_KEY(agent));
      this.privateKeys.set(agent, key);
      key.catch(() => this.privateKeys.delete(agent));
    }
    return key;
  }

  private async pinned(agent: string): Promise<string | undefined> {
    const known = this.pins.get(agent) ?? (await readKeyFile(this.pinPath(agent), this.logger, PIN(agent)));
    if (known !== undefined) this.pins.set(agent, known);
    return known;
  }

  /** Trust on first use: the first key pinned wins, even when two deliveries race. */
  private async pin(agent: string, key: string): Promise<string> {
    const pinned = await loadOrCreate(this.pinPath(agent), this.logger, { ...PIN(agent), make: () => `${key}\n` });
    this.pins.set(agent, pinned);
    return pinned;
  }

  private pinPath(agent: string): string {
    return join(this.dir, 'known', `${assertAgentName(agent)}.pub`);
  }
}

export function defaultKeysDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CC2CC_KEYS_DIR) return env.CC2CC_KEYS_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'cc2cc', 'keys');
}

/** What is signed: the canonical envelope without `sig`, `from` and `rcpt` included. */
function signedBytes(envelope: Envelope): Buffer {
  return Buffer.from(canonicalJson({ ...envelope, sig: undefined }));
}

function verifies(envelope: Envelope, sig: string, publicKey: string): boolean {
  const key = parsePublicKey(publicKey);
  if (!key) return false;
  try {
    return verify(null, signedBytes(envelope), key, Buffer.from(sig.slice(PREFIX.length), 'base64url'));
  } catch {
    return false;
  }
}

function parsePublicKey(text: string): KeyObject | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  try {
    const key = createPublicKey({
      key: Buffer.from(text.slice(PREFIX.length), 'base64url'),
      format: 'der',
      type: 'spki',
    });
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

const PRIVATE_KEY = (agent: string): KeyFileSpec<KeyObject> => ({
  what: `private key of ${agent}`,
  secret: true,
  make: () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  parse: (text) => {
    try {
      const key = createPrivateKey(text);
      return key.asymmetricKeyType === 'ed25519' ? key : undefined;
    } catch {
      return undefined;
    }
  },
});

const PIN = (agent: string): KeyFileSpec<string> => ({
  what: `pinned public key of ${agent}`,
  secret: false,
  make: () => {
    throw new Error('a pin is written with the key it pins');
  },
  parse: (text) => (parsePublicKey(text.trim()) ? text.trim() : undefined),
});
