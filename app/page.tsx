import { StudioApp } from '@/components/studio/StudioApp';

export default function Page() {
  return <StudioApp />;
}
