// Figures are written with Latin digits and comma thousands separators in both languages: that is how
// land-release figures appear in CMAA reports and how officers copy them into spreadsheets.
const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const hectares = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatSquareMetres(m2: number): string {
  return wholeNumber.format(Math.round(m2));
}

export function formatHectares(m2: number): string {
  return hectares.format(m2 / 10000);
}

export function formatCount(value: number): string {
  return wholeNumber.format(value);
}

/** A calendar date from the API (YYYY-MM-DD) shown as it is: no time zone may shift it by a day. */
export function formatDate(isoDate: string | null): string {
  if (!isoDate) return '';
  return isoDate.slice(0, 10);
}

/** A moment (ISO timestamp) in the reader's own time zone, to the minute. */
export function formatTimestamp(iso: string, language: string): string {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  return new Intl.DateTimeFormat(language === 'km' ? 'km-KH' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(moment);
}
