import path from "node:path";

// Manifests and lockfiles of the common package managers (npm, yarn, pnpm, bun, pip, poetry, uv,
// pipenv, Go, Cargo, Bundler, Composer, Maven, Gradle, NuGet, Mix, Pub, SwiftPM).
const manifests = new Set([
  "package.json",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lockb",
  "bun.lock",
  "requirements.txt",
  "pyproject.toml",
  "poetry.lock",
  "uv.lock",
  "Pipfile",
  "Pipfile.lock",
  "setup.py",
  "setup.cfg",
  "go.mod",
  "go.sum",
  "Cargo.toml",
  "Cargo.lock",
  "Gemfile",
  "Gemfile.lock",
  "composer.json",
  "composer.lock",
  "pom.xml",
  "build.gradle",
  "build.gradle.kts",
  "gradle.lockfile",
  "packages.lock.json",
  "mix.exs",
  "mix.lock",
  "pubspec.yaml",
  "pubspec.lock",
  "Package.swift",
  "Package.resolved",
]);

/** Whether a repository-relative path is a dependency manifest or lockfile (a dependency change). */
export function isDependencyFile(file: string): boolean {
  const base = path.posix.basename(file);
  return manifests.has(base) || /^requirements[-.\w]*\.txt$/.test(base) || base.endsWith(".csproj");
}
