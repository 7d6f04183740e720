// The image labels Docker Desktop reads (DIGEST §2) and the api.version constraint, checked against the
// extension API version Berth implements.
import semver from 'semver';

/** The Docker Desktop extension API Berth implements (the 0.3.4 types; 0.4.2 only drops dev environments). */
export const EXTENSION_API_VERSION = '0.3.4';

export const LABELS = {
  title: 'org.opencontainers.image.title',
  description: 'org.opencontainers.image.description',
  vendor: 'org.opencontainers.image.vendor',
  apiVersion: 'com.docker.desktop.extension.api.version',
  icon: 'com.docker.desktop.extension.icon',
  screenshots: 'com.docker.extension.screenshots',
  detailedDescription: 'com.docker.extension.detailed-description',
  publisherUrl: 'com.docker.extension.publisher-url',
  changelog: 'com.docker.extension.changelog',
  additionalUrls: 'com.docker.extension.additional-urls',
  categories: 'com.docker.extension.categories',
} as const;

/** What install needs to show and check the extension. */
const FOR_INSTALL = [LABELS.title, LABELS.description, LABELS.vendor, LABELS.apiVersion];
/** What `validate` (and the Marketplace) require. */
const FOR_VALIDATE = [...FOR_INSTALL, LABELS.icon, LABELS.screenshots, LABELS.detailedDescription, LABELS.publisherUrl, LABELS.changelog];

/** `>= 1.4.7, < 2.0` → `>=1.4.7 <2.0` (npm ranges separate comparators with spaces, not commas). */
export function apiConstraintMet(constraint: string, version = EXTENSION_API_VERSION): boolean {
  const range = constraint.replace(/,/g, ' ').trim();
  const exact = semver.valid(semver.coerce(range) ?? '') && /^v?\d+(\.\d+){0,2}$/.test(range);
  // A bare version (`0.3.4`) means "this API or a compatible later one", as Docker Desktop reads it.
  if (exact) return semver.gte(version, semver.coerce(range)!);
  if (!semver.validRange(range)) throw new Error(`the label ${LABELS.apiVersion}=${JSON.stringify(constraint)} is not a version or a version range`);
  return semver.satisfies(version, range);
}

/** Problems with the labels, in words; empty when the image may be installed (or, with `strict`, published). */
export function labelProblems(labels: Record<string, string> | null | undefined, strict = false): string[] {
  const l = labels ?? {};
  const problems = (strict ? FOR_VALIDATE : FOR_INSTALL).filter((k) => !l[k]).map((k) => `missing required label ${k}`);
  const constraint = l[LABELS.apiVersion];
  if (constraint) {
    try {
      if (!apiConstraintMet(constraint)) {
        problems.push(`the extension needs extension API ${constraint} but Berth implements ${EXTENSION_API_VERSION}`);
      }
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (strict) {
    for (const k of [LABELS.screenshots, LABELS.additionalUrls]) {
      if (!l[k]) continue;
      try {
        if (!Array.isArray(JSON.parse(l[k]))) throw new Error('not a list');
      } catch {
        problems.push(`the label ${k} must be a JSON list`);
      }
    }
  }
  return problems;
}
