"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { createSquadInputSchema } from "@/lib/squads/schemas";
import { autonomyOptions } from "./squad-view";

/** The form's schema: the API's `createSquadInputSchema` with "no repository" as an empty select. */
const formSchema = createSquadInputSchema.pick({ name: true, autonomy: true }).extend({
  repositoryId: z.union([z.literal(""), z.uuid()]),
});
type FormInput = z.input<typeof formSchema>;
type FormOutput = z.output<typeof formSchema>;

/** Creates a squad (`POST /api/v1/squads`, default roles) and opens its settings. */
export function CreateSquadForm({ repositories }: { repositories: { id: string; name: string }[] }) {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<FormInput, unknown, FormOutput>({ resolver: zodResolver(formSchema), defaultValues: { name: "", autonomy: "supervised", repositoryId: "" } });
  const onSubmit = handleSubmit(async (values) => {
    try {
      const squad = await apiFetch("/api/v1/squads", z.object({ id: z.string() }), {
        method: "POST",
        body: JSON.stringify({ name: values.name, autonomy: values.autonomy, repositoryId: values.repositoryId || null }),
      });
      router.push(`/settings/squads/${squad.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.issues.some((i) => i.path === "name")) {
        setError("name", { message: e.issues.find((i) => i.path === "name")?.message }, { shouldFocus: true });
        return;
      }
      setError("root", { message: e instanceof ApiError && e.status === 403 ? "Only owners and admins create squads." : e instanceof Error ? e.message : "Couldn't create the squad." });
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Create squad" className="grid grid-cols-1 gap-4 sm:grid-cols-3">
      {errors.root?.message ? (
        <div className="sm:col-span-3">
          <Alert>{errors.root.message}</Alert>
        </div>
      ) : null}
      <Field id="squad-name" label="Name" error={errors.name?.message}>
        <Input autoComplete="off" placeholder="Payments squad" {...fieldAria("squad-name", errors.name?.message)} {...register("name")} />
      </Field>
      <Field id="squad-repository" label="Repository">
        <Select id="squad-repository" {...register("repositoryId")}>
          <option value="">None yet</option>
          {repositories.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field id="squad-autonomy" label="Autonomy">
        <Select id="squad-autonomy" {...register("autonomy")}>
          {autonomyOptions.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </Select>
      </Field>
      <div className="flex justify-end sm:col-span-3">
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner /> : null}
          Create squad
        </Button>
      </div>
    </form>
  );
}
