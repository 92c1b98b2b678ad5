// Runs the real Windows CommandLineToArgvW (Wine's shell32) on command lines, through
// test/remote-app/argv-probe.c built with mingw-w64. Debian/Ubuntu packages: wine64 (or wine) and
// gcc-mingw-w64-x86-64.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const probeSource = join(here, 'argv-probe.c');
const binDir = join(here, '.bin');
const probeExe = join(binDir, 'argv-probe.exe');
const gccName = 'x86_64-w64-mingw32-gcc';

/** The tools found on this machine, or what is missing. */
export type WineTools = { ok: true; gcc: string; wine: string } | { ok: false; missing: string[] };

function onPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

/** Finds mingw-w64's gcc and a 64-bit wine loader (Debian keeps it in /usr/lib/wine). */
export function findWineTools(): WineTools {
  const gcc = onPath(gccName);
  const wine = ['/usr/lib/wine/wine64', '/usr/lib64/wine/wine64'].find((path) => existsSync(path)) ?? onPath('wine64') ?? onPath('wine');
  if (gcc !== undefined && wine !== undefined) return { ok: true, gcc, wine };
  const missing: string[] = [];
  if (gcc === undefined) missing.push(`${gccName} (apt package gcc-mingw-w64-x86-64)`);
  if (wine === undefined) missing.push('wine64 (apt package wine64 or wine)');
  return { ok: false, missing };
}

/** Compiles argv-probe.c into test/remote-app/.bin (git-ignored) unless the build is up to date. */
export function buildProbe(gcc: string): string {
  if (existsSync(probeExe) && statSync(probeExe).mtimeMs >= statSync(probeSource).mtimeMs) return probeExe;
  mkdirSync(binDir, { recursive: true });
  const built = spawnSync(gcc, ['-municode', '-O2', '-Wall', '-Wextra', '-o', probeExe, probeSource, '-lshell32'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`${gccName} failed:\n${built.stderr}`);
  return probeExe;
}

/** A Wine path for a Unix path: Wine maps drive Z: to the Unix root. */
function toWinePath(path: string): string {
  return `Z:${path.replaceAll('/', '\\')}`;
}

function wineEnv(wine: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // A prefix of our own, outside the repository, reused between runs (creating one takes a while).
    WINEPREFIX: join(tmpdir(), `castgate-wine-${userInfo().username}`),
    WINEARCH: 'win64',
    WINEDEBUG: '-all',
    // No Mono or Gecko install prompts, no display.
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    WINELOADER: wine,
    DISPLAY: '',
  };
}

let runs = 0;

/**
 * Splits each command line with the real CommandLineToArgvW (a dummy program name is put in front, so
 * the whole line is read as arguments), in one Wine run. Lines must not contain U+0000.
 */
export async function splitWithWine(tools: { gcc: string; wine: string }, lines: readonly string[]): Promise<string[][]> {
  if (lines.some((line) => line.includes('\u0000'))) throw new Error('a command line cannot contain U+0000');
  const exe = buildProbe(tools.gcc);
  const work = join(binDir, `run-${process.pid}-${runs++}`);
  mkdirSync(work, { recursive: true });
  const input = join(work, 'in.utf16le');
  const output = join(work, 'out.json');
  const log = join(work, 'wine.log');
  try {
    writeFileSync(input, Buffer.from(lines.map((line) => `${line}\u0000`).join(''), 'utf16le'));
    // stdio goes to a file: wineserver outlives wine and would hold a pipe open.
    const logFd = openSync(log, 'w');
    let code: number | null;
    try {
      code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(tools.wine, [exe, toWinePath(input), toWinePath(output)], {
          env: wineEnv(tools.wine),
          stdio: ['ignore', logFd, logFd],
          timeout: 180_000,
          killSignal: 'SIGKILL',
        });
        child.on('error', reject);
        child.on('exit', resolve);
      });
    } finally {
      closeSync(logFd);
    }
    if (code !== 0 || !existsSync(output)) {
      throw new Error(`argv-probe under wine exited with ${String(code)}:\n${readFileSync(log, 'utf8').slice(-2000)}`);
    }
    const parsed: unknown = JSON.parse(readFileSync(output, 'utf8'));
    if (!Array.isArray(parsed) || parsed.length !== lines.length) throw new Error('argv-probe answered a different number of lines');
    return parsed as string[][];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
