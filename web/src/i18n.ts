import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import km from './locales/km.json';
import { sendLanguageWithRequests } from './api';

export const languages = ['en', 'km'] as const;
export type Language = (typeof languages)[number];

const storageKey = 'clearway.language';

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

function storedLanguage(): Language | null {
  try {
    const value = window.localStorage.getItem(storageKey);
    return isLanguage(value) ? value : null;
  } catch {
    // Storage can be disabled (private windows, locked-down office browsers): fall back quietly.
    return null;
  }
}

function initialLanguage(): Language {
  const stored = storedLanguage();
  if (stored) return stored;
  return navigator.languages.some((tag) => tag.toLowerCase().startsWith('km')) ? 'km' : 'en';
}

export function currentLanguage(): Language {
  return isLanguage(i18next.resolvedLanguage) ? i18next.resolvedLanguage : 'en';
}

export async function changeLanguage(language: Language): Promise<void> {
  try {
    window.localStorage.setItem(storageKey, language);
  } catch {
    // See storedLanguage: the switch still works for this visit.
  }
  await i18next.changeLanguage(language);
}

function reflectLanguage(language: string): void {
  document.documentElement.lang = language;
  sendLanguageWithRequests(language);
  document.title = i18next.t('app.documentTitle');
}

export async function setUpI18n(): Promise<void> {
  i18next.on('languageChanged', reflectLanguage);
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, km: { translation: km } },
    lng: initialLanguage(),
    fallbackLng: 'en',
    supportedLngs: [...languages],
    interpolation: { escapeValue: false }, // React escapes already.
    returnNull: false,
  });
  reflectLanguage(currentLanguage());
}
