// Where the access token lives: UXP's secure storage inside Premiere, localStorage in the browser harness.
export interface TokenStore {
  get(): Promise<string | null>;
  set(token: string): Promise<void>;
  clear(): Promise<void>;
}

export const TOKEN_KEY = "tessera.token";

type KeyValue = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export function storageTokenStore(storage: KeyValue, key: string = TOKEN_KEY): TokenStore {
  return {
    async get() {
      return storage.getItem(key) || null;
    },
    async set(token) {
      storage.setItem(key, token);
    },
    async clear() {
      storage.removeItem(key);
    },
  };
}

/** The part of UXP's `storage.secureStorage` used here; getItem answers bytes (and rejects for a missing key). */
export interface SecureStorageLike {
  getItem(key: string): Promise<Uint8Array | ArrayBuffer | string | null | undefined>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

// UXP has no TextDecoder; tokens are ASCII (base64url/hex), so bytes map one to one onto characters.
function asciiText(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return text;
}

export function secureTokenStore(secure: SecureStorageLike, key: string = TOKEN_KEY): TokenStore {
  return {
    async get() {
      try {
        const value = await secure.getItem(key);
        if (value == null) return null;
        const text =
          typeof value === "string" ? value : asciiText(value instanceof Uint8Array ? value : new Uint8Array(value));
        return text || null;
      } catch {
        return null; // a missing key rejects in UXP
      }
    },
    async set(token) {
      await secure.setItem(key, token);
    },
    async clear() {
      try {
        await secure.removeItem(key);
      } catch {
        // nothing stored: nothing to clear
      }
    },
  };
}

export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return {
    async get() {
      return token;
    },
    async set(value) {
      token = value;
    },
    async clear() {
      token = null;
    },
  };
}
