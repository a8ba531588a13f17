"""Every word of the quarterly report in Kazakh, Russian and English."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from birlik.domain import codes
from birlik.domain.errors import ConfigError

LANGS = ("kk", "ru", "en")

_STRINGS: Mapping[str, Mapping[str, str]] = {
    "title": {
        "kk": "Этносаралық ахуал мониторингі: {quarter} тоқсандық есебі",
        "ru": "Мониторинг межэтнической ситуации: квартальный отчёт за {quarter}",
        "en": "Monitoring of the interethnic situation: quarterly report, {quarter}",
    },
    "quarter": {
        "kk": "{year} жылғы {number}-тоқсан",
        "ru": "{number} квартал {year} года",
        "en": "Q{number} {year}",
    },
    "period": {
        "kk": "Кезең: {start} – {end}",
        "ru": "Период: {start} – {end}",
        "en": "Period: {start} – {end}",
    },
    "generated": {
        "kk": "Есеп жасалған күн: {day}",
        "ru": "Дата составления: {day}",
        "en": "Generated on {day}",
    },
    "scope": {
        "kk": "Есеп тек мына өңірлер бойынша: {regions}",
        "ru": "Отчёт только по регионам: {regions}",
        "en": "This report covers only these regions: {regions}",
    },
    "produced_by": {
        "kk": "Birlik — этносаралық қатынастарды бақылаудың бірыңғай жүйесі",
        "ru": "Birlik — единая система этносоциального мониторинга",
        "en": "Birlik — the unified ethno-social monitoring system",
    },
    # section headings
    "h_summary": {"kk": "Қысқаша қорытынды", "ru": "Краткие итоги", "en": "Summary"},
    "h_indicators": {
        "kk": "Нысаналы индикаторлар және олардың мақсатты мәндері",
        "ru": "Целевые индикаторы и их плановые значения",
        "en": "Target indicators against the Concept's targets",
    },
    "h_breakdown": {"kk": "Топтар бойынша бағалаулар", "ru": "Оценки по группам", "en": "Estimates by group"},
    "h_map": {"kk": "Өңірлер картасы", "ru": "Карта регионов", "en": "Map of the regions"},
    "h_trends": {
        "kk": "Шиеленіс пен оқиғалардың динамикасы",
        "ru": "Динамика напряжённости и инцидентов",
        "en": "Tension and incident trends",
    },
    "h_regions": {
        "kk": "Өңірлер бойынша көрсеткіштер",
        "ru": "Показатели по регионам",
        "en": "Figures by region",
    },
    "h_stories": {
        "kk": "Тоқсанның басты сюжеттері",
        "ru": "Главные сюжеты квартала",
        "en": "Top stories of the quarter",
    },
    "h_documents": {
        "kk": "Шиеленіс деңгейі ең жоғары материалдар",
        "ru": "Материалы с наибольшей напряжённостью",
        "en": "Documents with the highest tension",
    },
    "h_alerts": {"kk": "Ескертулер мен істер", "ru": "Предупреждения и кейсы", "en": "Alerts and cases"},
    "h_visits": {"kk": "Мониторингтік сапарлар", "ru": "Мониторинговые выезды", "en": "Monitoring visits"},
    "h_recommendations": {
        "kk": "Орындалмаған ұсынымдар",
        "ru": "Невыполненные рекомендации",
        "en": "Open recommendations",
    },
    "h_sources": {"kk": "Дереккөздерді қамту", "ru": "Охват источников", "en": "Source coverage"},
    "h_method": {
        "kk": "Әдістеме және деректердің шектеулері",
        "ru": "Методология и ограничения данных",
        "en": "Methodology and data limits",
    },
    # the written analysis (reports/analysis.py) and the header block
    "h_analysis": {
        "kk": "Тоқсанның талдауы",
        "ru": "Анализ квартала",
        "en": "Analysis of the quarter",
    },
    "w_empty": {
        "kk": "Бұл тоқсанда талданатын материал болған жоқ; талдау жасалмады.",
        "ru": "В этом квартале не было материалов для анализа; аналитическая часть не составлена.",
        "en": "There were no documents in this quarter: there is nothing to analyse.",
    },
    "w_volume": {
        "kk": "Тоқсан ішінде талданған материалдар саны — {count} (алдыңғы тоқсанда — {previous}).",
        "ru": "Число проанализированных за квартал материалов — {count} (в предыдущем квартале — "
        "{previous}).",
        "en": "{count} documents were analysed in the quarter, against {previous} in the previous one.",
    },
    "w_tension_up": {
        "kk": "Орташа шиеленіс өсті: {value} (алдыңғы тоқсанда — {previous}).",
        "ru": "Средняя напряжённость выросла: {value} против {previous} в предыдущем квартале.",
        "en": "Mean tension rose to {value} from {previous}.",
    },
    "w_tension_down": {
        "kk": "Орташа шиеленіс төмендеді: {value} (алдыңғы тоқсанда — {previous}).",
        "ru": "Средняя напряжённость снизилась: {value} против {previous} в предыдущем квартале.",
        "en": "Mean tension fell to {value} from {previous}.",
    },
    "w_tension_stable": {
        "kk": "Орташа шиеленіс іс жүзінде өзгерген жоқ: {value} (алдыңғы тоқсанда — {previous}).",
        "ru": "Средняя напряжённость почти не изменилась: {value} против {previous} в предыдущем квартале.",
        "en": "Mean tension held steady at {value} ({previous} in the previous quarter).",
    },
    "w_tension_first": {
        "kk": "Орташа шиеленіс — {value}; алдыңғы тоқсанмен салыстыруға дерек жоқ.",
        "ru": "Средняя напряжённость — {value}; данных для сравнения с предыдущим кварталом нет.",
        "en": "Mean tension was {value}; there is no previous quarter to compare with.",
    },
    "w_peak_month": {
        "kk": "Шиеленіс ең жоғары болған ай — {month} (орташа мәні {value}).",
        "ru": "Пик напряжённости пришёлся на {month} (в среднем {value}).",
        "en": "Tension peaked in {month} (mean {value}).",
    },
    "w_no_incidents": {
        "kk": "Тоқсанда оқиға белгілері бар материал тіркелген жоқ.",
        "ru": "Материалов с признаками инцидентов за квартал не зафиксировано.",
        "en": "No document reported an incident in the quarter.",
    },
    "w_incidents": {
        "kk": "Оқиға белгілері бар материалдар саны — {count} (алдыңғы тоқсанда — {previous}).",
        "ru": "Материалов с признаками инцидентов — {count} (в предыдущем квартале — {previous}).",
        "en": "{count} documents reported incidents ({previous} in the previous quarter).",
    },
    "w_incident_region": {
        "kk": "Оқиғалар ең жиі аталған өңір: {region} — {count}, барлығының {share}%.",
        "ru": "Чаще всего инциденты упоминались в материалах о регионе {region}: {count}, или {share}% от "
        "всех.",
        "en": "Most of them concern {region}: {count}, or {share}% of all.",
    },
    "w_incident_kinds": {
        "kk": "Жиі кездескен оқиға түрлері: {kinds}.",
        "ru": "Наиболее частые типы инцидентов: {kinds}.",
        "en": "The most frequent kinds: {kinds}.",
    },
    "w_stories": {
        "kk": "Тоқсанның басты сюжеттері: {stories}.",
        "ru": "Главные сюжеты квартала: {stories}.",
        "en": "The leading stories: {stories}.",
    },
    "w_story": {
        "kk": "{title} (материалдар саны — {count}; {regions})",
        "ru": "{title} (материалов: {count}; {regions})",
        "en": "{title} ({count} documents; {regions})",
    },
    "w_masked": {
        "kk": "өшпенділік тілі бар материал (қосымшада келтірілген)",
        "ru": "материал с языком вражды (приведён в приложении)",
        "en": "a text with hate speech (quoted in the annex)",
    },
    "w_no_region": {
        "kk": "өңірі анықталмаған",
        "ru": "регион не определён",
        "en": "region not identified",
    },
    "w_no_alerts": {
        "kk": "Тоқсанда ерте ескерту жасалған жоқ.",
        "ru": "Ранних предупреждений за квартал не было.",
        "en": "No early warning was raised in the quarter.",
    },
    "w_alerts": {
        "kk": "Тоқсанда жасалған ерте ескертулер саны — {count}, оның ішінде маңыздылығы жоғары — {high}; "
        "ашылған істер — {cases}, жабылғаны — {closed}.",
        "ru": "За квартал сформировано ранних предупреждений: {count}, из них высокой значимости — {high}; "
        "открыто дел: {cases}, закрыто: {closed}.",
        "en": "{count} early warnings were raised ({high} of high severity); {cases} cases were opened and "
        "{closed} closed.",
    },
    "w_alert_response": {
        "kk": "Ескертуге алғашқы әрекетке дейінгі уақыттың медианасы — {hours} сағат.",
        "ru": "Медианное время до первой реакции на предупреждение — {hours} ч.",
        "en": "The median time to the first action on a warning was {hours} hours.",
    },
    "w_alert_untouched": {
        "kk": "Ескертулердің ешқайсысы бойынша әрекет әлі тіркелмеген.",
        "ru": "Ни по одному предупреждению действий пока не зафиксировано.",
        "en": "No action on any warning is recorded yet.",
    },
    "w_cases_overdue": {
        "kk": "Мерзімі өткен ашық істер: {count}.",
        "ru": "Просроченных открытых дел: {count}.",
        "en": "Open cases past their due date: {count}.",
    },
    "w_no_estimates": {
        "kk": "Осы жылдың сауалнамасы жүктелмегендіктен, нысаналы индикаторлар бағаланбады.",
        "ru": "Целевые индикаторы не оценены: опрос текущего года ещё не загружен.",
        "en": "The target indicators are not assessed: no survey wave of this year has been imported.",
    },
    "w_targets": {
        "kk": "Нысаналы индикаторлар — {total}, оның ішінде бағаланғаны — {assessed}, қауіп төнгені — "
        "{at_risk}.",
        "ru": "Целевых индикаторов: {total}, оценено: {assessed}, под угрозой: {at_risk}.",
        "en": "Of {total} target indicators, {assessed} are assessed and {at_risk} at risk.",
    },
    "w_targets_at_risk": {
        "kk": "Қауіп төнген индикаторлар: {names}.",
        "ru": "Под угрозой: {names}.",
        "en": "At risk: {names}.",
    },
    "reference": {
        "kk": "Шығыс № {reference}",
        "ru": "Исх. № {reference}",
        "en": "Ref. {reference}",
    },
    "marking": {
        "kk": "Қызмет бабында пайдалану үшін",
        "ru": "Для служебного пользования",
        "en": "For official use only",
    },
    # summary sentences
    "s_documents": {
        "kk": "Тоқсанда {count} материал талданды (алдыңғы тоқсанда — {previous}).",
        "ru": "За квартал проанализировано материалов: {count} (в предыдущем квартале — {previous}).",
        "en": "{count} documents were analysed this quarter ({previous} in the previous quarter).",
    },
    "s_tension": {
        "kk": "Орташа шиеленіс деңгейі: {value} (алдыңғы тоқсанда — {previous}).",
        "ru": "Средний уровень напряжённости: {value} (в предыдущем квартале — {previous}).",
        "en": "Mean tension: {value} ({previous} in the previous quarter).",
    },
    "s_incidents": {
        "kk": "Оқиға белгілері бар материалдар: {count} (алдыңғы тоқсанда — {previous}).",
        "ru": "Материалов с признаками инцидентов: {count} (в предыдущем квартале — {previous}).",
        "en": "Documents reporting incidents: {count} ({previous} in the previous quarter).",
    },
    "s_top_regions": {
        "kk": "Оқиғалар жиі аталған өңірлер: {regions}.",
        "ru": "Регионы, где чаще всего упоминались инциденты: {regions}.",
        "en": "Regions where incidents were reported most: {regions}.",
    },
    "s_indicator": {
        "kk": "{name}: {value}% ({year} жылғы мақсат — {target}%), мәртебесі: {status}.",
        "ru": "{name}: {value}% (цель на {year} год — {target}%), статус: {status}.",
        "en": "{name}: {value}% (target for {year}: {target}%), status: {status}.",
    },
    "s_recommendations": {
        "kk": "Мониторингтік сапарлар: {visits}; орындалмаған ұсынымдар: {open}, оның ішінде мерзімі "
        "өткені: {overdue}.",
        "ru": "Мониторинговых выездов: {visits}; невыполненных рекомендаций: {open}, из них просроченных: "
        "{overdue}.",
        "en": "Monitoring visits: {visits}; open recommendations: {open}, of which overdue: {overdue}.",
    },
    "no_data": {"kk": "деректер жоқ", "ru": "нет данных", "en": "no data"},
    "nothing_quarter": {
        "kk": "Осы тоқсанда деректер жоқ.",
        "ru": "За этот квартал данных нет.",
        "en": "No data for this quarter.",
    },
    "not_available": {
        "kk": "Ескертулер мен істер модулі бұл дерекқорда әлі жоқ: бөлім толтырылмады.",
        "ru": "Модуль предупреждений и кейсов в этой базе данных ещё не подключён: раздел не заполнен.",
        "en": "Alerts and cases are not available in this database: the section is left empty.",
    },
    "no_survey": {
        "kk": "Осы жылға арналған сауалнама әлі жүктелмеген.",
        "ru": "Опрос за этот год ещё не загружен.",
        "en": "No survey wave of this year has been imported yet.",
    },
    "survey_used": {
        "kk": "Сауалнама: {name} ({n} респондент, тиімді көлемі {n_eff}).",
        "ru": "Опрос: {name} ({n} респондентов, эффективный объём {n_eff}).",
        "en": "Survey: {name} ({n} respondents, effective sample size {n_eff}).",
    },
    # table columns
    "c_indicator": {"kk": "Индикатор", "ru": "Индикатор", "en": "Indicator"},
    "c_baseline": {"kk": "Базалық мән", "ru": "Базовое значение", "en": "Baseline"},
    "c_target": {"kk": "Мақсат", "ru": "Цель", "en": "Target"},
    "c_estimate": {"kk": "Бағалау", "ru": "Оценка", "en": "Estimate"},
    "c_ci": {"kk": "95% сенім аралығы", "ru": "95% доверительный интервал", "en": "95% confidence interval"},
    "c_status": {"kk": "Мәртебесі", "ru": "Статус", "en": "Status"},
    "c_group": {"kk": "Топ", "ru": "Группа", "en": "Group"},
    "c_n": {"kk": "n", "ru": "n", "en": "n"},
    "c_n_eff": {"kk": "Тиімді n", "ru": "Эффективный n", "en": "Effective n"},
    "c_region": {"kk": "Өңір", "ru": "Регион", "en": "Region"},
    "c_documents": {"kk": "Материалдар", "ru": "Материалы", "en": "Documents"},
    "c_tension": {"kk": "Орташа шиеленіс", "ru": "Средняя напряжённость", "en": "Mean tension"},
    "c_incidents": {"kk": "Оқиғалар", "ru": "Инциденты", "en": "Incidents"},
    "c_title": {"kk": "Тақырып", "ru": "Заголовок", "en": "Title"},
    "masked_title": {
        "kk": "[өшпенділік тілі бар материал — қосымшаны қараңыз, № {number}]",
        "ru": "[материал с языком вражды — см. приложение, № {number}]",
        "en": "[material containing hate speech — see the annex, No. {number}]",
    },
    "h_annex": {
        "kk": "Қосымша. Өшпенділік тілі бар материалдар (дәйексөз)",
        "ru": "Приложение. Материалы с языком вражды (цитаты)",
        "en": "Annex. Material containing hate speech (quoted)",
    },
    "annex_note": {
        "kk": "Мәтіндер мониторинг мақсатында өзгеріссіз келтірілген; олар есептің негізгі бөлігіне "
        "енгізілмейді және таратуға арналмаған.",
        "ru": "Тексты приведены без изменений для целей мониторинга; они вынесены из основной части "
        "отчёта и не предназначены для распространения.",
        "en": "The texts are quoted unchanged for monitoring purposes; they are kept out of the body "
        "of the report and are not for distribution.",
    },
    "c_date": {"kk": "Күні", "ru": "Дата", "en": "Date"},
    "c_lang": {"kk": "Тілі", "ru": "Язык", "en": "Language"},
    "c_size": {"kk": "Материал саны", "ru": "Число материалов", "en": "Documents"},
    "c_source": {"kk": "Дереккөз", "ru": "Источник", "en": "Source"},
    "c_kind": {"kk": "Түрі", "ru": "Тип", "en": "Kind"},
    "c_last_ok": {
        "kk": "Соңғы сәтті жүктеу",
        "ru": "Последняя успешная загрузка",
        "en": "Last successful poll",
    },
    "c_langs": {"kk": "Тілдері", "ru": "Языки", "en": "Languages"},
    "c_owner": {"kk": "Жауапты", "ru": "Ответственный", "en": "Owner"},
    "c_deadline": {"kk": "Мерзімі", "ru": "Срок", "en": "Deadline"},
    "c_recommendation": {"kk": "Ұсыным", "ru": "Рекомендация", "en": "Recommendation"},
    "c_measure": {"kk": "Көрсеткіш", "ru": "Показатель", "en": "Measure"},
    "c_value": {"kk": "Мәні", "ru": "Значение", "en": "Value"},
    "overdue": {"kk": "мерзімі өтті", "ru": "просрочено", "en": "overdue"},
    # visits
    "v_dates": {"kk": "Күндері", "ru": "Даты", "en": "Dates"},
    "v_team": {"kk": "Топ құрамы", "ru": "Состав группы", "en": "Team"},
    "v_meetings": {"kk": "Кездесулер", "ru": "Встречи", "en": "Meetings"},
    "v_findings": {"kk": "Қорытындылар", "ru": "Выводы", "en": "Findings"},
    "v_risks": {"kk": "Тәуекелдер", "ru": "Риски", "en": "Risks"},
    "v_recommendations": {"kk": "Ұсынымдар", "ru": "Рекомендации", "en": "Recommendations"},
    "no_visits": {
        "kk": "Осы тоқсанда мониторингтік сапар болған жоқ.",
        "ru": "В этом квартале мониторинговых выездов не было.",
        "en": "No monitoring visit took place this quarter.",
    },
    "no_open": {
        "kk": "Орындалмаған ұсынымдар жоқ.",
        "ru": "Невыполненных рекомендаций нет.",
        "en": "No recommendation is open.",
    },
    # alerts
    "a_alerts": {
        "kk": "Тоқсандағы ескертулер",
        "ru": "Предупреждений за квартал",
        "en": "Alerts this quarter",
    },
    "a_severity": {
        "kk": "Жоғары / орташа / төмен маңыздылық",
        "ru": "Высокая / средняя / низкая важность",
        "en": "High / medium / low severity",
    },
    "a_response": {
        "kk": "Ескертуге алғашқы әрекетке дейінгі уақыттың медианасы, сағат",
        "ru": "Медиана времени до первой реакции на предупреждение, ч",
        "en": "Median time to first action on an alert, hours",
    },
    "a_cases": {
        "kk": "Ашылған / жабылған істер",
        "ru": "Открыто / закрыто кейсов",
        "en": "Cases opened / closed",
    },
    "a_case_response": {
        "kk": "Іс бойынша алғашқы әрекетке дейінгі уақыттың медианасы, сағат",
        "ru": "Медиана времени до первого действия по кейсу, ч",
        "en": "Median time to first action on a case, hours",
    },
    "a_case_close": {
        "kk": "Істі жабуға дейінгі уақыттың медианасы, сағат",
        "ru": "Медиана времени до закрытия кейса, ч",
        "en": "Median time to close a case, hours",
    },
    "a_overdue": {
        "kk": "Мерзімі өткен ашық істер",
        "ru": "Просроченные открытые кейсы",
        "en": "Open cases past their due time",
    },
    # charts
    "chart_tension": {
        "kk": "Айлар бойынша орташа шиеленіс",
        "ru": "Средняя напряжённость по месяцам",
        "en": "Mean tension by month",
    },
    "chart_incidents": {
        "kk": "Айлар бойынша оқиға түрлері",
        "ru": "Типы инцидентов по месяцам",
        "en": "Incident types by month",
    },
    "chart_map": {
        "kk": "Өңірлер бойынша орташа шиеленіс (материалдар саны картада)",
        "ru": "Средняя напряжённость по регионам (на карте — число материалов)",
        "en": "Mean tension by region (number of documents on the map)",
    },
    "chart_indicators": {
        "kk": "Индикаторлар: бағалау, мақсат және базалық мән",
        "ru": "Индикаторы: оценка, цель и базовое значение",
        "en": "Indicators: estimate, target and baseline",
    },
    "legend_estimate": {
        "kk": "Бағалау (95% аралық)",
        "ru": "Оценка (95% интервал)",
        "en": "Estimate (95% interval)",
    },
    "legend_target": {"kk": "Мақсат", "ru": "Цель", "en": "Target"},
    "legend_baseline": {"kk": "Базалық мән", "ru": "Базовое значение", "en": "Baseline"},
    "no_shapes": {
        "kk": "Өңір шекаралары табылмады: плиткалық схема көрсетілген.",
        "ru": "Границы регионов не найдены: показана схема-плитка.",
        "en": "Region shapes not found: a tile diagram is shown.",
    },
    # methodology
    "m_sources": {
        "kk": "Материалдар жаңалық сайттарынан, әлеуметтік желілер экспорттарынан және ресми құжаттардан "
        "жиналады; тілі, аталған этностар мен өңірлер (ҚАТО кодтары) автоматты түрде анықталады.",
        "ru": "Материалы собираются с новостных сайтов, из экспортов социальных сетей и официальных "
        "документов; "
        "язык, упомянутые этносы и регионы (коды КАТО) определяются автоматически.",
        "en": "Documents are collected from news sites, social-media exports and official documents; their "
        "language, the ethnic groups and the regions (KATO codes) they mention are found automatically.",
    },
    "m_tension": {
        "kk": "Шиеленіс — 0-ден 1-ге дейінгі автоматты баға, әр бағаның мәтіндегі дәлелі сақталады; оқиға "
        "түрі "
        "сөз белгілері бойынша анықталады. Бұл бағалар талдаушының шешімін алмастырмайды.",
        "ru": "Напряжённость — автоматическая оценка от 0 до 1 с сохранённым текстовым обоснованием; тип "
        "инцидента определяется по словарным признакам. Эти оценки не заменяют решения аналитика.",
        "en": "Tension is an automatic score from 0 to 1 kept with its evidence in the text; the incident "
        "type "
        "comes from lexical cues. These scores support, and do not replace, an analyst's judgement.",
    },
    "m_survey": {
        "kk": "Сауалнама бағалаулары салмақталған; сенім аралықтары Киштің тиімді көлемі n_eff = (Σw)²/Σw² "
        "арқылы салмақтардың әсерін ескереді (SE = √(s²/n_eff), 95% аралық ±1,96·SE). Кластерлеу мен "
        "стратификация микродеректерде жоқ, сондықтан аралықтар тарлау болуы мүмкін. Тиімді көлемі 30-дан "
        "аз топтар * белгісімен берілген.",
        "ru": "Оценки опроса взвешены; доверительные интервалы учитывают веса через эффективный объём Киша "
        "n_eff = (Σw)²/Σw² (SE = √(s²/n_eff), 95% интервал ±1,96·SE). Кластеризация и стратификация в "
        "микроданных отсутствуют, поэтому интервалы могут быть занижены. Группы с эффективным объёмом "
        "меньше 30 отмечены знаком *.",
        "en": "Survey estimates are weighted; confidence intervals account for the weights through Kish's "
        "effective sample size n_eff = (Σw)²/Σw² (SE = √(s²/n_eff), 95% interval ±1.96·SE). Clustering and "
        "stratification are not in the microdata, so the intervals may be too narrow. Groups with an "
        "effective sample below 30 are marked *.",
    },
    "m_status": {
        "kk": "Мәртебе ережесі: бағалау жылдың мақсатына жетсе — «орындалды»; бағалау мақсаттан төмен, бірақ "
        "95% аралықтың жоғарғы шегі мақсатқа жетсе — «жоспар бойынша»; бүкіл аралық мақсаттан төмен болса "
        "— «қауіп бар».",
        "ru": "Правило статуса: оценка достигает цели года — «выполнено»; оценка ниже цели, но верхняя "
        "граница "
        "95% интервала её достигает — «в графике»; весь интервал ниже цели — «под угрозой».",
        "en": "Status rule: the estimate reaches the year's target — met; it is below the target but the "
        "upper "
        "bound of the 95% interval reaches it — on track; the whole interval is below the target — at risk.",
    },
    "m_targets": {
        "kk": "Нысаналы индикаторлар Тұжырымдаманың 6-бөліміндегі кестеден алынған; жарияланған мәтінде "
        "кестенің "
        "1–3-жолдары мен бағандарының тақырыптары сақталмаған, жылдар 2025–2030 деп қабылданды.",
        "ru": "Целевые индикаторы взяты из таблицы раздела 6 Концепции; в опубликованном тексте утрачены "
        "строки "
        "1–3 и заголовки столбцов, годы приняты как 2025–2030.",
        "en": "Target indicators come from the table in section 6 of the Concept; the published text lost "
        "rows "
        "1–3 and the column headings, and the years are read as 2025–2030.",
    },
    "m_limits": {
        "kk": "Деректер шектеулері: өңірі анықталмаған материалдар — {no_region}; шиеленіс бағасы жоқ "
        "материалдар — "
        "{no_tension}; күні сенімсіз материалдар — {flagged}; карантиндегі жазбалар — {quarantined}.",
        "ru": "Ограничения данных: материалов без определённого региона — {no_region}; без оценки "
        "напряжённости — "
        "{no_tension}; с недостоверной датой — {flagged}; записей в карантине — {quarantined}.",
        "en": "Data limits: documents without a region — {no_region}; without a tension score — "
        "{no_tension}; "
        "with an untrusted date — {flagged}; items in quarantine — {quarantined}.",
    },
    "m_coverage": {
        "kk": "Бақылау тек қосылған дереккөздерді қамтиды: жабық топтар мен жеке хабарламалар талданбайды.",
        "ru": "Мониторинг охватывает только подключённые источники: закрытые группы и личные сообщения "
        "не анализируются.",
        "en": "Monitoring covers the connected sources only: closed groups and private messages are not "
        "analysed.",
    },
}

STATUS = {
    "met": {"kk": "орындалды", "ru": "выполнено", "en": "met"},
    "on_track": {"kk": "жоспар бойынша", "ru": "в графике", "en": "on track"},
    "at_risk": {"kk": "қауіп бар", "ru": "под угрозой", "en": "at risk"},
    "no_target": {"kk": "мақсат белгіленбеген", "ru": "цель не задана", "en": "no target"},
}

BREAKDOWN = {
    "region": {"kk": "Өңірлер бойынша", "ru": "По регионам", "en": "By region"},
    "ethnic_group": {"kk": "Этностар бойынша", "ru": "По этносам", "en": "By ethnic group"},
    "age_band": {"kk": "Жас топтары бойынша", "ru": "По возрастным группам", "en": "By age band"},
    "language": {"kk": "Сұхбат тілі бойынша", "ru": "По языку интервью", "en": "By language of interview"},
}

INCIDENT = {
    "killing": {"kk": "кісі өлімі", "ru": "убийство, гибель людей", "en": "killing"},
    "arson_vandalism": {
        "kk": "өртеу, вандализм (мешіт, шіркеу, зират, мәдени орталық)",
        "ru": "поджог, вандализм (мечети, церкви, кладбища, культурные центры)",
        "en": "arson, vandalism (mosques, churches, cemeteries, cultural centres)",
    },
    "discrimination": {"kk": "кемсітушілік", "ru": "дискриминация", "en": "discrimination"},
    "hate_propaganda": {
        "kk": "араздық насихаты (парақша, жазба, бейне)",
        "ru": "пропаганда вражды (листовки, надписи, видео)",
        "en": "hate propaganda (leaflets, graffiti, videos)",
    },
    "rumour_disinformation": {
        "kk": "қауесет, жалған ақпарат",
        "ru": "слухи, дезинформация",
        "en": "rumour, disinformation",
    },
    "violence_brawl": {"kk": "төбелес, зорлық", "ru": "драки, насилие", "en": "brawls, violence"},
    "mass_disorder": {"kk": "жаппай тәртіпсіздік", "ru": "массовые беспорядки", "en": "mass disorder"},
    "protest_rally": {"kk": "наразылық, митинг", "ru": "протесты, митинги", "en": "protests, rallies"},
    "discrimination_complaint": {
        "kk": "кемсіту туралы шағым",
        "ru": "жалобы на дискриминацию",
        "en": "discrimination complaints",
    },
    "vandalism_cultural_religious": {
        "kk": "мәдени, діни нысандарға вандализм",
        "ru": "вандализм против культурных и религиозных объектов",
        "en": "vandalism of cultural or religious sites",
    },
    "threats_calls_to_violence": {
        "kk": "қоқан-лоқы, зорлыққа шақыру",
        "ru": "угрозы, призывы к насилию",
        "en": "threats, calls to violence",
    },
    "migration_conflict": {
        "kk": "көші-қонға байланысты қақтығыс",
        "ru": "конфликты вокруг миграции",
        "en": "migration-related conflict",
    },
}

LANGUAGE = {
    "kk": {"kk": "қазақша", "ru": "казахский", "en": "Kazakh"},
    "ru": {"kk": "орысша", "ru": "русский", "en": "Russian"},
    "en": {"kk": "ағылшынша", "ru": "английский", "en": "English"},
}

OTHER_GROUP = {"kk": "басқа этностар", "ru": "другие этносы", "en": "other groups"}

SEVERITY = {
    "high": {"kk": "жоғары", "ru": "высокий", "en": "high"},
    "medium": {"kk": "орташа", "ru": "средний", "en": "medium"},
    "low": {"kk": "төмен", "ru": "низкий", "en": "low"},
}

MONTHS = {
    "kk": ("қаң", "ақп", "нау", "сәу", "мам", "мау", "шіл", "там", "қыр", "қаз", "қар", "жел"),
    "ru": ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

MONTH_NAMES = {
    "kk": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан",
           "қараша", "желтоқсан"),
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
           "ноябрь", "декабрь"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ConfigError(f"report language {lang!r} is not one of {list(LANGS)}", code=codes.G002)
    return lang


class Texts:
    """The strings of one language: ``texts("title", quarter=…)``."""

    def __init__(self, lang: str) -> None:
        self.lang = check_lang(lang)

    def __call__(self, key: str, **values: object) -> str:
        return _STRINGS[key][self.lang].format(**values)

    def status(self, status: str) -> str:
        return STATUS[status][self.lang]

    def breakdown(self, by: str) -> str:
        return BREAKDOWN[by][self.lang]

    def incident(self, incident_type: str) -> str:
        names = INCIDENT.get(incident_type)
        return names[self.lang] if names else incident_type.replace("_", " ")

    def language(self, code: str | None) -> str:
        if code is None:
            return "—"
        names = LANGUAGE.get(code)
        return names[self.lang] if names else code

    def severity(self, level: str) -> str:
        names = SEVERITY.get(level)
        return names[self.lang] if names else level

    def month(self, month_start: date) -> str:
        return f"{MONTHS[self.lang][month_start.month - 1]} {month_start.year}"

    def month_name(self, month_start: date) -> str:
        """The whole name, for prose: ``тамыз 2026``, ``август 2026``, ``August 2026``."""
        return f"{MONTH_NAMES[self.lang][month_start.month - 1]} {month_start.year}"

    def day(self, value: date) -> str:
        return value.strftime("%d.%m.%Y")

    def number(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return self("no_data")
        text = f"{value:,.{digits}f}".replace(",", "\u202f")
        return text if self.lang == "en" else text.replace(".", ",")

    def keys(self) -> list[str]:
        return list(_STRINGS)
