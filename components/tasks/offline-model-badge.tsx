import { Badge } from "@/components/ui/badge";

/**
 * Marks output of the scripted offline model, so nobody mistakes it for a real model's work.
 * `model` (e.g. `offline-squad-v1`) goes in the tooltip.
 */
export function OfflineModelBadge({ model }: { model?: string | null }) {
  return (
    <Badge
      tone="amber"
      data-testid="offline-model-label"
      title={model ? `Written by the scripted offline model (${model}), not a real LLM` : "Written by the scripted offline model, not a real LLM"}
    >
      <svg aria-hidden="true" viewBox="0 0 16 16" className="size-3" fill="currentColor">
        <path d="M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13ZM3 8a5 5 0 0 1 8.1-3.9l-7 7A5 5 0 0 1 3 8Zm5 5a5 5 0 0 1-3-1l7-7A5 5 0 0 1 8 13Z" />
      </svg>
      offline model
    </Badge>
  );
}
