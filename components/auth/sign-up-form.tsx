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
import { signUpSchema, type SignUpInput } from "./schemas";

/** `next`: where to go once signed up (a safe in-app path, e.g. an invitation page); default `/tasks`. */
export function SignUpForm({ next = "/tasks" }: { next?: string }) {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<SignUpInput>({
    resolver: zodResolver(signUpSchema),
    defaultValues: { name: "", email: "", password: "" },
  });

  const onSubmit = handleSubmit(async (values) => {
    try {
      const { error } = await authClient.signUp.email({
        name: values.name,
        email: values.email,
        password: values.password,
      });
      if (error) {
        setError("root", { message: authErrorMessage(error, "Sign-up failed. Try again.") });
        return;
      }
    } catch (error) {
      setError("root", { message: authErrorMessage(error, "Sign-up failed. Try again.") });
      return;
    }
    router.replace(next);
    router.refresh();
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label="Create account">
      {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
      <Field id="name" label="Name" error={errors.name?.message}>
        <Input autoComplete="name" autoFocus {...fieldAria("name", errors.name?.message)} {...register("name")} />
      </Field>
      <Field id="email" label="Email" error={errors.email?.message}>
        <Input type="email" autoComplete="email" {...fieldAria("email", errors.email?.message)} {...register("email")} />
      </Field>
      <Field id="password" label="Password" hint="At least 8 characters." error={errors.password?.message}>
        <Input
          type="password"
          autoComplete="new-password"
          {...fieldAria("password", errors.password?.message, true)}
          {...register("password")}
        />
      </Field>
      <Button type="submit" className="w-full" disabled={isSubmitting}>
        {isSubmitting ? <Spinner /> : null}
        Create account
      </Button>
      <p className="text-center text-sm text-zinc-600">
        Already have an account?{" "}
        <Link href={next === "/tasks" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`} className="font-medium text-indigo-600 hover:text-indigo-500">
          Sign in
        </Link>
      </p>
    </form>
  );
}
