# ruff: noqa: RUF001  (texts in Arabic, Chinese and Cyrillic script, with their own punctuation)
"""The fixed words of a letter of request, in the six languages of the Convention (Art. 68).

A letter is a document another State reads, not a page of the UI: its fixed parts ("Letter
of request", "To", "Subject", "Verification code"...) live here rather than in the UI's
message catalogues, so that a letter never changes because a UI message was reworded, and
every one of them exists in all six languages (``tests/unit/letters/test_wording.py``).
What the Convention names (request kinds, content items, their values, conditions,
citations) comes from the catalogue (:mod:`hanoi.convention`), dates and numbers from
Babel; State names are the UN's short names (:mod:`hanoi.convention.state_names`).

Texts with ``{name}`` fields are formatted with :meth:`str.format`; only numbers and dates
go into them, never a name that a language would have to decline.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hanoi.convention import Language

AR, ZH, EN, FR, RU, ES = tuple(Language)

_PHRASES: dict[str, dict[Language, str]] = {
    "convention": {
        AR: "اتفاقية الأمم المتحدة لمكافحة الجريمة السيبرانية",
        ZH: "联合国打击网络犯罪公约",
        EN: "United Nations Convention against Cybercrime",
        FR: "Convention des Nations Unies contre la cybercriminalité",
        RU: "Конвенция Организации Объединенных Наций против киберпреступности",
        ES: "Convención de las Naciones Unidas contra la Ciberdelincuencia",
    },
    "heading": {
        AR: "رسالة طلب",
        ZH: "请求书",
        EN: "Letter of request",
        FR: "Lettre de demande",
        RU: "Письменный запрос",
        ES: "Carta de solicitud",
    },
    "from": {
        AR: "من",
        ZH: "发件机关",
        EN: "From",
        FR: "Expéditeur",
        RU: "Отправитель",
        ES: "Remitente",
    },
    "to": {
        AR: "إلى",
        ZH: "收件机关",
        EN: "To",
        FR: "Destinataire",
        RU: "Получатель",
        ES: "Destinatario",
    },
    "date": {
        AR: "تاريخ الإصدار",
        ZH: "签发日期",
        EN: "Date of issue",
        FR: "Date d'émission",
        RU: "Дата составления",
        ES: "Fecha de emisión",
    },
    "reference": {
        AR: "مرجع الطلب",
        ZH: "请求编号",
        EN: "Request reference",
        FR: "Référence de la demande",
        RU: "Номер запроса",
        ES: "Referencia de la solicitud",
    },
    "verification-code": {
        AR: "رمز التحقق",
        ZH: "核验码",
        EN: "Verification code",
        FR: "Code de vérification",
        RU: "Код проверки",
        ES: "Código de verificación",
    },
    "subject": {
        AR: "الموضوع",
        ZH: "事由",
        EN: "Subject",
        FR: "Objet",
        RU: "Предмет запроса",
        ES: "Asunto",
    },
    "introduction": {
        AR: "بموجب اتفاقية الأمم المتحدة لمكافحة الجريمة السيبرانية، تطلب السلطة الطالبة "
        "المذكورة أعلاه من السلطة المتلقية للطلب تقديم المساعدة المبينة في هذه الرسالة.",
        ZH: "根据《联合国打击网络犯罪公约》，上述请求机关请被请求机关提供本请求书所列协助。",
        EN: "Under the United Nations Convention against Cybercrime, the requesting "
        "authority named above asks the requested authority for the assistance set out in "
        "this letter.",
        FR: "En application de la Convention des Nations Unies contre la cybercriminalité, "
        "l'autorité requérante désignée ci-dessus demande à l'autorité requise l'assistance "
        "décrite dans la présente lettre.",
        RU: "В соответствии с Конвенцией Организации Объединенных Наций против "
        "киберпреступности указанный выше запрашивающий орган просит запрашиваемый орган "
        "оказать помощь, изложенную в настоящем письме.",
        ES: "En virtud de la Convención de las Naciones Unidas contra la Ciberdelincuencia, "
        "la autoridad requirente indicada arriba solicita a la autoridad requerida la "
        "asistencia que se describe en la presente carta.",
    },
    "urgency": {
        AR: "درجة الاستعجال",
        ZH: "紧急程度",
        EN: "Urgency",
        FR: "Urgence",
        RU: "Срочность",
        ES: "Urgencia",
    },
    "urgency.routine": {
        AR: "عادي",
        ZH: "常规",
        EN: "Routine",
        FR: "Ordinaire",
        RU: "Обычная",
        ES: "Ordinaria",
    },
    "urgency.urgent": {
        AR: "مستعجل",
        ZH: "紧急",
        EN: "Urgent",
        FR: "Urgente",
        RU: "Срочная",
        ES: "Urgente",
    },
    "urgency.emergency": {
        AR: "طوارئ",
        ZH: "紧急情况",
        EN: "Emergency",
        FR: "Urgence vitale",
        RU: "Чрезвычайная ситуация",
        ES: "Emergencia",
    },
    "urgency-reasons": {
        AR: "أسباب الاستعجال",
        ZH: "紧急理由",
        EN: "Reasons for urgency",
        FR: "Motifs de l'urgence",
        RU: "Основания срочности",
        ES: "Motivos de la urgencia",
    },
    "deadline": {
        AR: "الموعد النهائي المقترح",
        ZH: "建议期限",
        EN: "Suggested deadline",
        FR: "Délai proposé",
        RU: "Предлагаемый срок",
        ES: "Plazo propuesto",
    },
    "deadline-reasons": {
        AR: "أسباب الموعد النهائي",
        ZH: "期限理由",
        EN: "Reasons for the deadline",
        FR: "Motifs du délai",
        RU: "Основания предлагаемого срока",
        ES: "Motivos del plazo",
    },
    "preservation": {
        AR: "مدة الحفظ المطلوبة",
        ZH: "请求的保全期",
        EN: "Period of preservation requested",
        FR: "Durée de conservation demandée",
        RU: "Запрашиваемый срок сохранения",
        ES: "Período de conservación solicitado",
    },
    "preservation-days": {
        AR: "{days} يومًا على الأقل",
        ZH: "至少{days}天",
        EN: "at least {days} days",
        FR: "au moins {days} jours",
        RU: "не менее {days} дней",
        ES: "al menos {days} días",
    },
    "contents": {
        AR: "مضمون الطلب",
        ZH: "请求内容",
        EN: "Contents of the request",
        FR: "Contenu de la demande",
        RU: "Содержание запроса",
        ES: "Contenido de la solicitud",
    },
    "conditions": {
        AR: "الشروط المطلوبة",
        ZH: "所请求的条件",
        EN: "Conditions requested",
        FR: "Conditions demandées",
        RU: "Запрашиваемые условия",
        ES: "Condiciones solicitadas",
    },
    "delete-after": {
        AR: "تُحذف البيانات المتلقاة بعد {date}",
        ZH: "所收到的数据应在{date}之后删除",
        EN: "Data received to be deleted after {date}",
        FR: "Données reçues à effacer après le {date}",
        RU: "Полученные данные подлежат удалению после {date}",
        ES: "Los datos recibidos deberán suprimirse después del {date}",
    },
    "attachments": {
        AR: "المرفقات",
        ZH: "附件",
        EN: "Attachments",
        FR: "Pièces jointes",
        RU: "Приложения",
        ES: "Documentos adjuntos",
    },
    "document-title": {
        AR: "العنوان",
        ZH: "标题",
        EN: "Title",
        FR: "Titre",
        RU: "Название",
        ES: "Título",
    },
    "document-kind": {
        AR: "النوع",
        ZH: "类别",
        EN: "Kind",
        FR: "Nature",
        RU: "Вид",
        ES: "Tipo",
    },
    "document-size": {
        AR: "الحجم",
        ZH: "大小",
        EN: "Size",
        FR: "Taille",
        RU: "Размер",
        ES: "Tamaño",
    },
    "no-attachments": {
        AR: "لا توجد مستندات مرفقة.",
        ZH: "未附任何文件。",
        EN: "No document is attached.",
        FR: "Aucun document n'est joint.",
        RU: "Документы не приложены.",
        ES: "No se adjunta ningún documento.",
    },
    "document.warrant": {
        AR: "مذكرة قضائية",
        ZH: "令状",
        EN: "Warrant",
        FR: "Mandat",
        RU: "Ордер",
        ES: "Mandamiento",
    },
    "document.court-order": {
        AR: "أمر المحكمة",
        ZH: "法院命令",
        EN: "Court order",
        FR: "Ordonnance du tribunal",
        RU: "Постановление суда",
        ES: "Orden judicial",
    },
    "document.supporting-document": {
        AR: "مستند داعم",
        ZH: "证明文件",
        EN: "Supporting document",
        FR: "Pièce justificative",
        RU: "Подтверждающий документ",
        ES: "Documento justificativo",
    },
    "document.translation": {
        AR: "ترجمة",
        ZH: "译文",
        EN: "Translation",
        FR: "Traduction",
        RU: "Перевод",
        ES: "Traducción",
    },
    "document.other": {
        AR: "مستند آخر",
        ZH: "其他文件",
        EN: "Other document",
        FR: "Autre document",
        RU: "Иной документ",
        ES: "Otro documento",
    },
    "yes": {AR: "نعم", ZH: "是", EN: "Yes", FR: "Oui", RU: "Да", ES: "Sí"},
    "no": {AR: "لا", ZH: "否", EN: "No", FR: "Non", RU: "Нет", ES: "No"},
    "authority.central-authority": {
        AR: "السلطة المركزية",
        ZH: "中央机关",
        EN: "Central authority",
        FR: "Autorité centrale",
        RU: "Центральный орган",
        ES: "Autoridad central",
    },
    "authority.point-of-contact": {
        AR: "جهة الاتصال على مدار الساعة (24/7)",
        ZH: "24/7联络点",
        EN: "24/7 point of contact",
        FR: "Point de contact 24/7",
        RU: "Контактный пункт 24/7",
        ES: "Punto de contacto 24/7",
    },
    "authority.competent-authority": {
        AR: "السلطة المختصة",
        ZH: "主管机关",
        EN: "Competent authority",
        FR: "Autorité compétente",
        RU: "Компетентный орган",
        ES: "Autoridad competente",
    },
    "signature": {
        AR: "الموافقة والتوقيع",
        ZH: "批准与签署",
        EN: "Approval and signature",
        FR: "Approbation et signature",
        RU: "Утверждение и подпись",
        ES: "Aprobación y firma",
    },
    "approved-by": {
        AR: "وافق عليه",
        ZH: "批准人",
        EN: "Approved by",
        FR: "Approuvée par",
        RU: "Утвердил",
        ES: "Aprobada por",
    },
    "name": {AR: "الاسم", ZH: "姓名", EN: "Name", FR: "Nom", RU: "Имя", ES: "Nombre"},
    "title": {
        AR: "الصفة",
        ZH: "职务",
        EN: "Title",
        FR: "Qualité",
        RU: "Должность",
        ES: "Cargo",
    },
    "authority": {
        AR: "السلطة",
        ZH: "机关",
        EN: "Authority",
        FR: "Autorité",
        RU: "Орган",
        ES: "Autoridad",
    },
    "signed-electronically": {
        AR: "هذه الرسالة موقعة إلكترونيًا (PAdES) بشهادة توقيع المستندات الخاصة بعقدة "
        "السلطة الطالبة، ولا تحتاج إلى توقيع بخط اليد.",
        ZH: "本请求书已使用请求机关节点的文件签名证书进行电子签名（PAdES），无需手写签名。",
        EN: "This letter is signed electronically (PAdES) with the document-signing "
        "certificate of the requesting authority's node, and needs no handwritten signature.",
        FR: "La présente lettre est signée électroniquement (PAdES) avec le certificat de "
        "signature de documents du nœud de l'autorité requérante ; elle ne requiert aucune "
        "signature manuscrite.",
        RU: "Настоящее письмо подписано электронной подписью (PAdES) с использованием "
        "сертификата подписи документов узла запрашивающего органа и не требует "
        "собственноручной подписи.",
        ES: "La presente carta está firmada electrónicamente (PAdES) con el certificado de "
        "firma de documentos del nodo de la autoridad requirente y no requiere firma "
        "manuscrita.",
    },
    "how-to-check": {
        AR: "كيفية التحقق من هذه الرسالة",
        ZH: "如何核验本请求书",
        EN: "How to check this letter",
        FR: "Comment vérifier la présente lettre",
        RU: "Как проверить настоящее письмо",
        ES: "Cómo verificar la presente carta",
    },
    "how-to-check-text": {
        AR: "تحقق من توقيع ملف PDF باستخدام قارئ PDF أو أداة pdfsig: يجب أن يكون التوقيع "
        "صالحًا وأن يشمل المستند بأكمله، وأن تطابق بصمة SHA-256 للشهادة البصمة التي تحتفظ "
        "بها دولتك للسلطة الطالبة. ولتأكيد الرسالة، اذكر مرجعها ورمز التحقق للسلطة الطالبة.",
        ZH: "请使用PDF阅读器或pdfsig核验PDF签名：签名必须有效并涵盖整份文件，且证书的"
        "SHA-256指纹必须与贵国为请求机关保存的指纹一致。如需确认本请求书，请向请求机关"
        "提供其请求编号和核验码。",
        EN: "Check the PDF signature with a PDF reader or with pdfsig: the signature must be "
        "valid and cover the whole document, and the certificate's SHA-256 fingerprint must "
        "be the one your State holds for the requesting authority. To confirm the letter, "
        "quote its reference and verification code to the requesting authority.",
        FR: "Vérifiez la signature du PDF avec un lecteur PDF ou avec pdfsig : la signature "
        "doit être valide et couvrir l'ensemble du document, et l'empreinte SHA-256 du "
        "certificat doit être celle que votre État détient pour l'autorité requérante. Pour "
        "confirmer la lettre, communiquez sa référence et son code de vérification à "
        "l'autorité requérante.",
        RU: "Проверьте подпись PDF-файла в программе просмотра PDF или с помощью pdfsig: "
        "подпись должна быть действительной и охватывать весь документ, а отпечаток SHA-256 "
        "сертификата должен совпадать с тем, который ваше государство хранит для "
        "запрашивающего органа. Чтобы подтвердить письмо, сообщите запрашивающему органу "
        "его номер и код проверки.",
        ES: "Verifique la firma del PDF con un lector de PDF o con pdfsig: la firma debe ser "
        "válida y abarcar todo el documento, y la huella SHA-256 del certificado debe ser la "
        "que su Estado tiene registrada para la autoridad requirente. Para confirmar la "
        "carta, comunique su referencia y su código de verificación a la autoridad "
        "requirente.",
    },
}

PHRASES: Mapping[str, Mapping[Language, str]] = MappingProxyType(
    {key: MappingProxyType(texts) for key, texts in _PHRASES.items()}
)
"""Every fixed text of a letter, by key and language."""


def phrases(language: Language) -> Mapping[str, str]:
    """Every fixed text of a letter in ``language``, by key (a KeyError for none: every
    language has every key, which the tests prove)."""
    return MappingProxyType({key: texts[language] for key, texts in PHRASES.items()})
