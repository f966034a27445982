"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { authClient } from "@/lib/auth-client";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";
import { authErrorMessage } from "./auth-error";
import { signInSchema, type SignInInput } from "./schemas";

export function SignInForm({ next }: { next: string }) {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<SignInInput>({ resolver: zodResolver(signInSchema), defaultValues: { email: "", password: "" } });

  const onSubmit = handleSubmit(async (values) => {
    try {
      const { error } = await authClient.signIn.email({ email: values.email, password: values.password });
      if (error) {
        setError("root", { message: authErrorMessage(error, "Sign-in failed. Try again.") });
        return;
      }
    } catch (error) {
      setError("root", { message: authErrorMessage(error, "Sign-in failed. Try again.") });
      return;
    }
    router.replace(next);
    router.refresh();
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label="Sign in">
      {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
      <Field id="email" label="Email" error={errors.email?.message}>
        <Input
          type="email"
          autoComplete="email"
          autoFocus
          {...fieldAria("email", errors.email?.message)}
          {...register("email")}
        />
      </Field>
      <Field id="password" label="Password" error={errors.password?.message}>
        <Input
          type="password"
          autoComplete="current-password"
          {...fieldAria("password", errors.password?.message)}
          {...register("password")}
        />
      </Field>
      <Button type="submit" className="w-full" disabled={isSubmitting}>
        {isSubmitting ? <Spinner /> : null}
        Sign in
      </Button>
      <p className="text-center text-sm text-zinc-600">
        New to Squadron?{" "}
        <Link href={next === "/tasks" ? "/sign-up" : `/sign-up?next=${encodeURIComponent(next)}`} className="font-medium text-indigo-600 hover:text-indigo-500">
          Create an account
        </Link>
      </p>
    </form>
  );
}
