import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findPostgresBin } from './postgresql';
import { runToCompletion } from './processes';
import { StackError } from './stack.errors';

/** A program the stack needs on this machine, and what to say when it is missing. */
export type Tool = 'go' | 'java' | 'mvn' | 'postgresql';

const purpose: Record<Tool, { need: string; install: string; instead: string }> = {
  go: {
    need: 'Go 1.21 or newer, to build FerretDB once',
    install: 'https://go.dev/dl/ or your distribution (Go 1.21+ fetches the newer toolchain FerretDB asks for by itself)',
    instead: 'set MONGO_URL to an existing MongoDB',
  },
  java: {
    need: 'Java 17 or newer, to run Keycloak',
    install: 'apt-get install openjdk-17-jre-headless, or point JAVA_HOME at a JDK 17+',
    instead: 'set KEYCLOAK_URL (and KEYCLOAK_REALM) to an existing Keycloak',
  },
  mvn: {
    need: 'Maven 3, to download Keycloak once from Maven Central',
    install: 'apt-get install maven',
    instead: 'set KEYCLOAK_URL (and KEYCLOAK_REALM) to an existing Keycloak',
  },
  postgresql: {
    need: "PostgreSQL's server (initdb, postgres, psql), FerretDB's storage",
    install: 'apt-get install postgresql (Debian, Ubuntu), or set POSTGRESQL_BIN to the folder of another installation',
    instead: 'set FERRETDB_HANDLER=sqlite (slower: every query scans), or MONGO_URL to an existing MongoDB',
  },
};

/** Absolute path of `name` on the PATH of `env`, or undefined. */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The `java` that Keycloak's kc.sh will run: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else the PATH's. */
export function javaExecutable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.JAVA_HOME) {
    const candidate = path.join(env.JAVA_HOME, 'bin', 'java');
    return fs.existsSync(candidate) ? candidate : undefined;
  }
  return which('java', env);
}

/** Feature release of a `java -version` banner (`openjdk version "17.0.15"` → 17, `"1.8.0_392"` → 8). */
export function parseJavaMajor(banner: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(banner);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

function javaMajor(java: string, env: NodeJS.ProcessEnv): number | undefined {
  const result = spawnSync(java, ['-version'], { env, encoding: 'utf8', timeout: 30_000 });
  return parseJavaMajor(`${result.stderr ?? ''}${result.stdout ?? ''}`);
}

/**
 * Checks that every tool in `tools` is installed (Java at 17 or newer).
 * @throws StackError `stack.missing_tools` naming each missing tool, how to install it, and which
 *   environment variable to set instead.
 */
export function requireTools(tools: readonly Tool[], env: NodeJS.ProcessEnv = process.env): void {
  const problems: string[] = [];
  for (const tool of new Set(tools)) {
    const { need, install, instead } = purpose[tool];
    if (tool === 'java') {
      const java = javaExecutable(env);
      const major = java ? javaMajor(java, env) : undefined;
      if (!java) problems.push(`- ${need}: not found. Install: ${install}. Or ${instead}.`);
      else if (major === undefined || major < 17) {
        problems.push(`- ${need}: ${java} is Java ${major ?? '(unknown version)'}. Install: ${install}. Or ${instead}.`);
      }
    } else if (tool === 'postgresql') {
      if (!findPostgresBin(env)) problems.push(`- ${need}: not found${env.POSTGRESQL_BIN ? ` in POSTGRESQL_BIN=${env.POSTGRESQL_BIN}` : ''}. Install: ${install}. Or ${instead}.`);
    } else if (!which(tool, env)) {
      problems.push(`- ${need}: \`${tool}\` is not on the PATH. Install: ${install}. Or ${instead}.`);
    }
  }
  if (problems.length > 0) {
    throw new StackError('stack.missing_tools', `The local stack cannot start on this machine:\n${problems.join('\n')}`);
  }
}

/**
 * The `java` of this machine at 17 or newer, for a tool other than the stack (`need` says what runs on it).
 * @throws StackError `stack.missing_tools` naming `need` and `install`.
 */
export function requireJava(need: string, install: string, env: NodeJS.ProcessEnv = process.env): string {
  const java = javaExecutable(env);
  if (!java) throw new StackError('stack.missing_tools', `${need}: \`java\` not found. Install: ${install}.`);
  const major = javaMajor(java, env);
  if (major === undefined || major < 17) throw new StackError('stack.missing_tools', `${need}: ${java} is Java ${major ?? '(unknown version)'}. Install: ${install}.`);
  return java;
}

// 2.8 copies one artifact alone; 3.x also resolves its POM's parents, which Maven Central does not always serve
// (Kill Bill's war names killbill-profiles).
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:2.8';

/**
 * Copies one artifact (`group:artifact:version[:type]`) from Maven Central into `outputDirectory` with Maven 3.
 * @throws StackError `stack.missing_tools` when `mvn` is missing (`need` says what the download is for).
 */
export async function copyMavenArtifact(coordinates: string, outputDirectory: string, options: { need: string; logFile: string; timeoutMs: number }): Promise<void> {
  if (!which('mvn')) throw new StackError('stack.missing_tools', `${options.need} with Maven 3: \`mvn\` is not on the PATH. Install: apt-get install maven.`);
  // cwd without a pom.xml: Maven runs the goal stand-alone.
  await runToCompletion(`Downloading ${coordinates}`, 'mvn', ['-B', '-q', `${DEPENDENCY_PLUGIN}:copy`, `-Dartifact=${coordinates}`, `-DoutputDirectory=${outputDirectory}`], {
    cwd: outputDirectory,
    logFile: options.logFile,
    timeoutMs: options.timeoutMs,
  });
}
