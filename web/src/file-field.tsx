import { useId } from 'react';

export interface FileFieldProps {
  label: string;
  accept: string;
  onChoose: (file: File | null) => void;
  testId: string;
  /** Changing it empties the field (after an upload, say). */
  resetKey?: number;
}

/** A labelled file input: the browser's own, so it works with the keyboard and with a screen reader. */
export function FileField({ label, accept, onChoose, testId, resetKey }: FileFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        key={resetKey}
        id={id}
        type="file"
        accept={accept}
        onChange={(event) => onChoose(event.target.files?.[0] ?? null)}
        data-testid={testId}
      />
    </div>
  );
}
