/** The largest file a model accepts through temporary storage (`max_file_size_mb` of getPolicy). */
export interface ModelSizeLimit {
  /** A model name (exact match) or a pattern tested against the model name. */
  readonly model: string | RegExp;
  /** Largest accepted file, in MiB (1 MiB = 1,048,576 bytes). */
  readonly maxFileSizeMb: number;
}

/**
 * Built-in limits by model family, checked after the limits you configure: Qwen-VL and QVQ 100 MB (the documented
 * example), audio models (Qwen-Audio, Qwen-Omni, Paraformer, SenseVoice, Fun-ASR, Qwen-ASR) 500 MB, video models
 * (Wan / Wanx, EMO, AnimateAnyone, VideoRetalk) 1024 MB, the documented ceiling of temporary storage.
 */
export const defaultModelSizeLimits: readonly ModelSizeLimit[] = Object.freeze([
  { model: /^(qwen[\d.]*-vl|qvq)/i, maxFileSizeMb: 100 },
  {
    model: /^(qwen[\d.]*-audio|qwen[\d.]*-omni|paraformer|sensevoice|fun-asr|qwen[\d.]*-asr)/i,
    maxFileSizeMb: 500,
  },
  { model: /^(wan|emo|animate-anyone|videoretalk|video)/i, maxFileSizeMb: 1024 },
]);

/** The limit for `model`: the first matching entry of `limits`, else `fallbackMb`. */
export function maxFileSizeMbFor(
  model: string,
  limits: readonly ModelSizeLimit[],
  fallbackMb: number,
): number {
  for (const limit of limits) {
    const isMatch = typeof limit.model === 'string' ? limit.model === model : limit.model.test(model);
    if (isMatch) return limit.maxFileSizeMb;
  }
  return fallbackMb;
}
