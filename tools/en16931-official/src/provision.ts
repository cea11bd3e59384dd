/**
 * Provisioning of the official EN 16931 validator: the CEN schematron (compiled to XSLT), the UBL 2.1 and CII D16B
 * XSDs, Saxon-HE to run the XSLT, and our small Java driver that validates a whole batch in one JVM. Everything comes
 * from Maven Central once, into the stack's cache (`<cache>/en16931-official/<versions>/`), and is renamed into place
 * only when complete, so a half-done download is never used and concurrent first runs cannot corrupt it.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackError, cacheDir, copyMavenArtifact, requireJava as requireJavaOf, which } from '@invoicing/stack';
import { readZipEntries } from './zip';

const run = promisify(execFile);

/** The release of the CEN validation artefacts (ConnectingEurope/eInvoicing-EN16931) the fixtures come from. */
export const SCHEMATRON_RELEASE = '1.3.16';

/**
 * Pinned Maven Central coordinates. phive-rules-en16931 4.3.7 is the release that carries the 1.3.16 XSLTs (issue 14);
 * ph-ubl21 / ph-cii-d16b carry the XSDs, and ph-xsds the schemas UBL imports by namespace only (CCTS, XML-DSig, XAdES):
 * 4.1.0 is the version ph-ubl21 10.2.0's parent POM pins. Saxon-HE 12.9 is the newest 12.x served; it runs on Java 17
 * and needs org.xmlresolver:xmlresolver 5.3.3 (its POM's version) on the class path.
 */
export const ARTIFACTS = {
  saxon: 'net.sf.saxon:Saxon-HE:12.9',
  xmlresolver: 'org.xmlresolver:xmlresolver:5.3.3',
  rules: 'com.helger.phive.rules:phive-rules-en16931:4.3.7',
  ubl: 'com.helger.ubl:ph-ubl21:10.2.0',
  cii: 'com.helger.cii:ph-cii-d16b:4.1.1',
  ccts: 'com.helger.xsd:ph-xsds-ccts-cct-schemamodule:4.1.0',
  xmldsig: 'com.helger.xsd:ph-xsds-xmldsig:4.1.0',
  xades132: 'com.helger.xsd:ph-xsds-xades132:4.1.0',
  xades141: 'com.helger.xsd:ph-xsds-xades141:4.1.0',
} as const;

type ArtifactKey = keyof typeof ARTIFACTS;

/** What each jar contributes, by entry-name prefix, kept at the same relative path under the cache folder. */
const EXTRACTED: ReadonlyArray<readonly [ArtifactKey, string]> = [
  ['rules', `external/schematron/${SCHEMATRON_RELEASE}/`],
  ['ubl', 'external/schemas/ubl21/'],
  ['cii', 'external/schemas/d16b/'],
  ['ccts', 'schemas/'],
  ['xmldsig', 'schemas/'],
  ['xades132', 'schemas/'],
  ['xades141', 'schemas/'],
];

/** The Java driver, compiled once per version of its source into the cache. */
const DRIVER_SOURCE = path.resolve(__dirname, '../java/OfficialValidator.java');

/** The syntaxes the official validator knows, named after the root element of the document. */
export type OfficialSyntax = 'ubl-invoice' | 'ubl-creditnote' | 'cii';

/** Where the provisioned validator lives; every path absolute. */
export interface OfficialValidatorFiles {
  /** The Java 17+ that runs the driver. */
  readonly java: string;
  /** `<cache>/en16931-official/<versions>/`: the extracted files, under their jar paths. */
  readonly home: string;
  /** The jar of each pinned artifact. */
  readonly jars: Readonly<Record<ArtifactKey, string>>;
  /** Class path of the driver: Saxon-HE, xmlresolver and the folder of the compiled `OfficialValidator`. */
  readonly classpath: readonly string[];
  /** The compiled schematron of each syntax family (UBL's serves invoices and credit notes alike). */
  readonly schematron: { readonly ubl: string; readonly cii: string };
  /** The XSD files of each syntax, the ones imported by namespace only first: load them together, in this order. */
  readonly xsd: Readonly<Record<OfficialSyntax, readonly string[]>>;
}

function versionsFolder(): string {
  const version = (key: ArtifactKey) => ARTIFACTS[key].split(':')[2];
  return `${SCHEMATRON_RELEASE}-phive${version('rules')}-ubl${version('ubl')}-cii${version('cii')}-xsds${version('ccts')}-saxon${version('saxon')}`;
}

function jarName(coordinates: string): string {
  const [, artifact, version] = coordinates.split(':');
  return `${artifact}-${version}.jar`;
}

function filesIn(home: string, classes: string, java: string): OfficialValidatorFiles {
  const jars = Object.fromEntries(
    (Object.keys(ARTIFACTS) as ArtifactKey[]).map((key) => [key, path.join(home, 'jars', jarName(ARTIFACTS[key]))]),
  ) as Record<ArtifactKey, string>;
  const schematron = path.join(home, 'external', 'schematron', SCHEMATRON_RELEASE);
  const ubl = path.join(home, 'external', 'schemas', 'ubl21', 'maindoc');
  const imported = ['CCTS_CCT_SchemaModule.xsd', 'xmldsig-core-schema.xsd', 'XAdES01903v132-201601.xsd', 'XAdES01903v141-201601.xsd'].map((file) =>
    path.join(home, 'schemas', file),
  );
  return {
    java,
    home,
    jars,
    classpath: [jars.saxon, jars.xmlresolver, classes],
    schematron: { ubl: path.join(schematron, 'ubl', 'EN16931-UBL-validation.xslt'), cii: path.join(schematron, 'cii', 'EN16931-CII-validation.xslt') },
    xsd: {
      'ubl-invoice': [...imported, path.join(ubl, 'UBL-Invoice-2.1.xsd')],
      'ubl-creditnote': [...imported, path.join(ubl, 'UBL-CreditNote-2.1.xsd')],
      cii: [path.join(home, 'external', 'schemas', 'd16b', 'data', 'standard', 'CrossIndustryInvoice_100pD16B.xsd')],
    },
  };
}

const INSTALL_JDK = 'apt-get install openjdk-17-jdk-headless, or point JAVA_HOME at a JDK 17+';

/** Java 17+ (Saxon-HE 12 and our driver's class files need it), or a StackError that says what to install. */
export function requireJava(env: NodeJS.ProcessEnv = process.env): string {
  return requireJavaOf('The official EN 16931 validator runs on Java 17 or newer', INSTALL_JDK, env);
}

/** The JDK's javac beside `java` (same release, so the class files run), else JAVA_HOME's or the PATH's. */
function findJavac(java: string, env: NodeJS.ProcessEnv): string {
  const candidates = [path.join(path.dirname(fs.realpathSync(java)), 'javac'), env.JAVA_HOME && path.join(env.JAVA_HOME, 'bin', 'javac'), which('javac', env)];
  const javac = candidates.find((candidate): candidate is string => !!candidate && fs.existsSync(candidate));
  if (!javac) {
    throw new StackError('stack.missing_tools', `The official EN 16931 validator compiles a small Java class once: \`javac\` (a JDK, not only a JRE) not found. Install: ${INSTALL_JDK}.`);
  }
  return javac;
}

/** Moves `from` to `to` unless `to` appeared meanwhile (another process provisioned it first: theirs is as good). */
function renameIntoPlace(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if (!fs.existsSync(to)) throw error;
  }
}

async function downloadAndExtract(home: string, log: (line: string) => void): Promise<void> {
  const root = path.dirname(home);
  fs.mkdirSync(root, { recursive: true });
  const logFile = path.join(root, 'download.log');
  const work = fs.mkdtempSync(path.join(root, '.download-'));
  try {
    const jars = path.join(work, 'jars');
    fs.mkdirSync(jars);
    for (const coordinates of Object.values(ARTIFACTS)) {
      log(`downloading ${coordinates} from Maven Central (first run only; log: ${logFile})`);
      await copyMavenArtifact(`${coordinates}:jar`, jars, { need: 'The official EN 16931 validator is downloaded once from Maven Central', logFile, timeoutMs: 10 * 60_000 });
    }
    for (const [key, prefix] of EXTRACTED) {
      const jar = path.join(jars, jarName(ARTIFACTS[key]));
      const entries = readZipEntries(fs.readFileSync(jar), prefix);
      if (entries.size === 0) throw new StackError('stack.provision_failed', `${jar} has no entries under ${prefix}`);
      for (const [name, content] of entries) {
        fs.mkdirSync(path.join(work, path.dirname(name)), { recursive: true });
        fs.writeFileSync(path.join(work, name), content);
      }
    }
    const expected = filesIn(work, work, '');
    for (const file of [expected.schematron.ubl, expected.schematron.cii, ...Object.values(expected.xsd).flat()]) {
      if (!fs.existsSync(file)) throw new StackError('stack.provision_failed', `the pinned artifacts hold no ${path.relative(work, file)}`);
    }
    renameIntoPlace(work, home);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function compileDriver(home: string, saxonJar: string, java: string): Promise<string> {
  const source = fs.readFileSync(DRIVER_SOURCE);
  const classes = path.join(home, `classes-${crypto.createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
  if (fs.existsSync(path.join(classes, 'OfficialValidator.class'))) return classes;
  const javac = findJavac(java, process.env);
  const work = fs.mkdtempSync(path.join(home, '.classes-'));
  try {
    // --release 17: the class runs on any Java 17+, whichever JDK compiled it.
    await run(javac, ['--release', '17', '-cp', saxonJar, '-d', work, DRIVER_SOURCE], { timeout: 120_000 }).catch((error: { stderr?: string; message: string }) => {
      throw new StackError('stack.provision_failed', `javac could not compile ${DRIVER_SOURCE}: ${error.stderr || error.message}`);
    });
    renameIntoPlace(work, classes);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return classes;
}

/**
 * The official validator's files, downloaded and extracted once into the cache (idempotent: later calls only check
 * that they are there). Needs Java 17+ always, Maven on the first run, a JDK's javac when our driver's source changed.
 * @param log told about each download (first run only).
 * @throws StackError `stack.missing_tools` naming what to install, `stack.provision_failed` with the log's tail.
 */
export async function provisionOfficialValidator(log: (line: string) => void = () => undefined): Promise<OfficialValidatorFiles> {
  const java = requireJava();
  const home = path.join(cacheDir(), 'en16931-official', versionsFolder());
  if (!fs.existsSync(home)) await downloadAndExtract(home, log);
  const classes = await compileDriver(home, filesIn(home, '', java).jars.saxon, java);
  return filesIn(home, classes, java);
}
