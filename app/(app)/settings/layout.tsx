import { SettingsNav } from "@/components/settings/settings-nav";

export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <p className="mt-1 text-sm text-zinc-600">Your repositories and squads, who is in your organization, the API keys that act for it, the mail it sent, and what was changed by whom.</p>
      </div>
      <SettingsNav />
      {children}
    </div>
  );
}
