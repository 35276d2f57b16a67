import { useTranslation } from 'react-i18next';
import { changeLanguage, currentLanguage, languages } from './i18n';

// Each language is named in itself, so a reader who cannot read the current one still finds theirs.
const ownNames = { en: 'English', km: 'ខ្មែរ' } as const;

export function LanguageSwitch() {
  const { t } = useTranslation();
  const active = currentLanguage();
  return (
    <div className="language-switch" role="group" aria-label={t('language.label')} data-testid="language-switch">
      {languages.map((language) => (
        <button
          key={language}
          type="button"
          lang={language}
          aria-pressed={language === active}
          className={language === active ? 'is-active' : undefined}
          onClick={() => void changeLanguage(language)}
          data-testid={`language-${language}`}
        >
          {ownNames[language]}
        </button>
      ))}
    </div>
  );
}
