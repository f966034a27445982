import { isDependencyFile } from "./dependency-files";
import type { PolicyFacts } from "./evaluate-policy";

/**
 * The facts of delivering a patch: a `deliver` action over its files and size, plus a
 * `dependency_change` action over the dependency manifests and lockfiles it touches, if any.
 */
export function deliveryFacts(patch: { filesChanged: string[]; additions: number; deletions: number }): PolicyFacts[] {
  const diffLines = patch.additions + patch.deletions;
  const facts: PolicyFacts[] = [{ action: "deliver", paths: patch.filesChanged, diffLines }];
  const dependencyFiles = patch.filesChanged.filter(isDependencyFile);
  if (dependencyFiles.length > 0) facts.push({ action: "dependency_change", paths: dependencyFiles, diffLines });
  return facts;
}
