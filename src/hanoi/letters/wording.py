# ruff: noqa: RUF001  (texts in Arabic, Chinese and Cyrillic script, with their own punctuation)
"""The fixed words of a letter, in the six languages of the Convention (Art. 68): the letter
of request, and the requested State's answer (``answer.*``).

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
    # --- the requested State's answer (hanoi.letters.answer) ---------------------------
    "answer.heading": {
        AR: "رد على طلب مساعدة",
        ZH: "对协助请求的答复",
        EN: "Answer to a request for assistance",
        FR: "Réponse à une demande d'entraide",
        RU: "Ответ на запрос о помощи",
        ES: "Respuesta a una solicitud de asistencia",
    },
    "answer.introduction": {
        AR: "بموجب اتفاقية الأمم المتحدة لمكافحة الجريمة السيبرانية، تُبلغ السلطة المتلقية "
        "للطلب المذكورة أعلاه السلطةَ الطالبة بقرارها بشأن الطلب المشار إليه في هذه الرسالة.",
        ZH: "根据《联合国打击网络犯罪公约》，上述被请求机关谨将其就本函所述请求作出的决定"
        "通知请求机关。",
        EN: "Under the United Nations Convention against Cybercrime, the requested authority "
        "named above informs the requesting authority of its decision on the request "
        "referred to in this letter.",
        FR: "En application de la Convention des Nations Unies contre la cybercriminalité, "
        "l'autorité requise désignée ci-dessus informe l'autorité requérante de sa décision "
        "concernant la demande visée dans la présente lettre.",
        RU: "В соответствии с Конвенцией Организации Объединенных Наций против "
        "киберпреступности указанный выше запрашиваемый орган сообщает запрашивающему "
        "органу о своем решении по запросу, упомянутому в настоящем письме.",
        ES: "En virtud de la Convención de las Naciones Unidas contra la Ciberdelincuencia, "
        "la autoridad requerida indicada arriba comunica a la autoridad requirente su "
        "decisión sobre la solicitud a que se refiere la presente carta.",
    },
    "answer.your-reference": {
        AR: "مرجعكم",
        ZH: "贵方编号",
        EN: "Your reference",
        FR: "Votre référence",
        RU: "Ваш номер",
        ES: "Su referencia",
    },
    "answer.received-on": {
        AR: "تاريخ استلام الطلب",
        ZH: "请求收到日期",
        EN: "Request received on",
        FR: "Demande reçue le",
        RU: "Дата получения запроса",
        ES: "Solicitud recibida el",
    },
    "answer.our-reference": {
        AR: "مرجعنا",
        ZH: "我方编号",
        EN: "Our reference",
        FR: "Notre référence",
        RU: "Наш номер",
        ES: "Nuestra referencia",
    },
    "answer.decision": {
        AR: "القرار",
        ZH: "决定",
        EN: "Decision",
        FR: "Décision",
        RU: "Решение",
        ES: "Decisión",
    },
    "answer.decided-on": {
        AR: "تاريخ القرار",
        ZH: "决定日期",
        EN: "Date of the decision",
        FR: "Date de la décision",
        RU: "Дата решения",
        ES: "Fecha de la decisión",
    },
    "answer.step.acknowledge": {
        AR: "تم استلام الطلب وهو قيد الدراسة.",
        ZH: "请求已收到，正在审议中。",
        EN: "The request has been received and is under consideration.",
        FR: "La demande a été reçue et est en cours d'examen.",
        RU: "Запрос получен и находится на рассмотрении.",
        ES: "La solicitud ha sido recibida y se encuentra en estudio.",
    },
    "answer.step.request-additional-information": {
        AR: "يلزم تقديم معلومات إضافية قبل أن يتسنى تنفيذ الطلب.",
        ZH: "执行该请求前需要补充资料。",
        EN: "Additional information is needed before the request can be executed.",
        FR: "Des informations complémentaires sont nécessaires pour que la demande puisse "
        "être exécutée.",
        RU: "Для исполнения запроса необходима дополнительная информация.",
        ES: "Se necesita información adicional para poder ejecutar la solicitud.",
    },
    "answer.step.consult": {
        AR: "قبل رفض الطلب أو تأجيل تنفيذه، تتشاور الدولة متلقية الطلب مع الدولة الطالبة "
        "للنظر فيما إذا كان يمكن تقديم المساعدة رهناً بالشروط المبينة أدناه.",
        ZH: "在拒绝请求或推迟执行之前，被请求国与请求国进行磋商，以确定是否可以在下述"
        "条件下提供协助。",
        EN: "Before refusing or postponing the request, the requested State consults the "
        "requesting State on whether assistance may be granted subject to the conditions "
        "set out below.",
        FR: "Avant de refuser la demande ou d'en différer l'exécution, l'État requis consulte "
        "l'État requérant pour déterminer si l'entraide peut être accordée sous réserve des "
        "conditions exposées ci-dessous.",
        RU: "Прежде чем отказать в исполнении запроса или отсрочить его исполнение, "
        "запрашиваемое государство консультируется с запрашивающим государством, с тем "
        "чтобы определить, может ли помощь быть оказана на изложенных ниже условиях.",
        ES: "Antes de denegar la solicitud o aplazar su ejecución, el Estado requerido "
        "consulta al Estado requirente para determinar si la asistencia puede prestarse "
        "con sujeción a las condiciones que se exponen a continuación.",
    },
    "answer.step.accept": {
        AR: "تم قبول الطلب ويجري تنفيذه وفقاً للقانون الداخلي للدولة متلقية الطلب.",
        ZH: "请求已被接受，正在依照被请求国国内法执行。",
        EN: "The request has been accepted and is being executed in accordance with the "
        "domestic law of the requested State.",
        FR: "La demande a été acceptée et est en cours d'exécution conformément au droit "
        "interne de l'État requis.",
        RU: "Запрос принят и исполняется в соответствии с внутренним законодательством "
        "запрашиваемого государства.",
        ES: "La solicitud ha sido aceptada y se está ejecutando de conformidad con el derecho "
        "interno del Estado requerido.",
    },
    "answer.step.execute-partially": {
        AR: "تم تنفيذ الطلب جزئياً.",
        ZH: "请求已部分执行。",
        EN: "The request has been executed in part.",
        FR: "La demande a été partiellement exécutée.",
        RU: "Запрос исполнен частично.",
        ES: "La solicitud ha sido ejecutada parcialmente.",
    },
    "answer.step.resume-execution": {
        AR: "استؤنف تنفيذ الطلب.",
        ZH: "请求的执行已恢复。",
        EN: "The execution of the request has resumed.",
        FR: "L'exécution de la demande a repris.",
        RU: "Исполнение запроса возобновлено.",
        ES: "Se ha reanudado la ejecución de la solicitud.",
    },
    "answer.step.complete": {
        AR: "تم تنفيذ الطلب.",
        ZH: "请求已执行完毕。",
        EN: "The request has been executed.",
        FR: "La demande a été exécutée.",
        RU: "Запрос исполнен.",
        ES: "La solicitud ha sido ejecutada.",
    },
    "answer.step.postpone": {
        AR: "تم تأجيل تنفيذ الطلب.",
        ZH: "请求的执行予以推迟。",
        EN: "The execution of the request is postponed.",
        FR: "L'exécution de la demande est différée.",
        RU: "Исполнение запроса отсрочено.",
        ES: "Se aplaza la ejecución de la solicitud.",
    },
    "answer.step.refuse": {
        AR: "رُفضت المساعدة المطلوبة، للأسباب والمسوغات المبينة أدناه.",
        ZH: "所请求的协助予以拒绝，依据和理由如下。",
        EN: "The assistance requested is refused, on the grounds and for the reasons set "
        "out below.",
        FR: "L'entraide demandée est refusée, pour les motifs et selon la motivation exposés "
        "ci-dessous.",
        RU: "В оказании запрашиваемой помощи отказано по основаниям и причинам, изложенным ниже.",
        ES: "Se deniega la asistencia solicitada, por los motivos y con la fundamentación que "
        "se exponen a continuación.",
    },
    "answer.grounds": {
        AR: "أسس الرفض",
        ZH: "拒绝依据",
        EN: "Grounds for refusal",
        FR: "Motifs de refus",
        RU: "Основания для отказа",
        ES: "Motivos de denegación",
    },
    "answer.reasons": {
        AR: "الأسباب",
        ZH: "理由",
        EN: "Reasons",
        FR: "Motifs",
        RU: "Причины",
        ES: "Motivos",
    },
    "answer.reasons.refuse": {
        AR: "تعليل الرفض",
        ZH: "拒绝的理由说明",
        EN: "Reasons for the refusal",
        FR: "Motivation du refus",
        RU: "Мотивировка отказа",
        ES: "Fundamentación de la denegación",
    },
    "answer.reasons.postpone": {
        AR: "أسباب التأجيل",
        ZH: "推迟理由",
        EN: "Reasons for the postponement",
        FR: "Motifs du report",
        RU: "Причины отсрочки",
        ES: "Motivos del aplazamiento",
    },
    "answer.reasons.request-additional-information": {
        AR: "المعلومات المطلوبة",
        ZH: "所需补充资料",
        EN: "Information requested",
        FR: "Informations demandées",
        RU: "Запрашиваемая информация",
        ES: "Información solicitada",
    },
    "answer.reasons.consult": {
        AR: "الشروط المقترحة",
        ZH: "提议的条件",
        EN: "Conditions proposed",
        FR: "Conditions proposées",
        RU: "Предлагаемые условия",
        ES: "Condiciones propuestas",
    },
    "answer.conditions": {
        AR: "الشروط التي وضعتها الدولة متلقية الطلب",
        ZH: "被请求国提出的条件",
        EN: "Conditions set by the requested State",
        FR: "Conditions posées par l'État requis",
        RU: "Условия, установленные запрашиваемым государством",
        ES: "Condiciones impuestas por el Estado requerido",
    },
    "answer.signature": {
        AR: "القرار والتوقيع",
        ZH: "决定与签署",
        EN: "Decision and signature",
        FR: "Décision et signature",
        RU: "Решение и подпись",
        ES: "Decisión y firma",
    },
    "answer.decided-by": {
        AR: "صدر القرار عن",
        ZH: "决定人",
        EN: "Decided by",
        FR: "Décision prise par",
        RU: "Решение принял",
        ES: "Decisión adoptada por",
    },
    "answer.signed-electronically": {
        AR: "هذه الرسالة موقعة إلكترونيًا (PAdES) بشهادة توقيع المستندات الخاصة بعقدة "
        "السلطة المتلقية للطلب، ولا تحتاج إلى توقيع بخط اليد.",
        ZH: "本函已使用被请求机关节点的文件签名证书进行电子签名（PAdES），无需手写签名。",
        EN: "This letter is signed electronically (PAdES) with the document-signing "
        "certificate of the requested authority's node, and needs no handwritten signature.",
        FR: "La présente lettre est signée électroniquement (PAdES) avec le certificat de "
        "signature de documents du nœud de l'autorité requise ; elle ne requiert aucune "
        "signature manuscrite.",
        RU: "Настоящее письмо подписано электронной подписью (PAdES) с использованием "
        "сертификата подписи документов узла запрашиваемого органа и не требует "
        "собственноручной подписи.",
        ES: "La presente carta está firmada electrónicamente (PAdES) con el certificado de "
        "firma de documentos del nodo de la autoridad requerida y no requiere firma "
        "manuscrita.",
    },
    "answer.how-to-check-text": {
        AR: "تحقق من توقيع ملف PDF باستخدام قارئ PDF أو أداة pdfsig: يجب أن يكون التوقيع "
        "صالحًا وأن يشمل المستند بأكمله، وأن تطابق بصمة SHA-256 للشهادة البصمة التي تحتفظ "
        "بها دولتك للسلطة المتلقية للطلب. ولتأكيد الرسالة، اذكر مرجعها ورمز التحقق للسلطة "
        "المتلقية للطلب.",
        ZH: "请使用PDF阅读器或pdfsig核验PDF签名：签名必须有效并涵盖整份文件，且证书的"
        "SHA-256指纹必须与贵国为被请求机关保存的指纹一致。如需确认本函，请向被请求机关"
        "提供我方编号和核验码。",
        EN: "Check the PDF signature with a PDF reader or with pdfsig: the signature must be "
        "valid and cover the whole document, and the certificate's SHA-256 fingerprint must "
        "be the one your State holds for the requested authority. To confirm the letter, "
        "quote our reference and its verification code to the requested authority.",
        FR: "Vérifiez la signature du PDF avec un lecteur PDF ou avec pdfsig : la signature "
        "doit être valide et couvrir l'ensemble du document, et l'empreinte SHA-256 du "
        "certificat doit être celle que votre État détient pour l'autorité requise. Pour "
        "confirmer la lettre, communiquez notre référence et son code de vérification à "
        "l'autorité requise.",
        RU: "Проверьте подпись PDF-файла в программе просмотра PDF или с помощью pdfsig: "
        "подпись должна быть действительной и охватывать весь документ, а отпечаток SHA-256 "
        "сертификата должен совпадать с тем, который ваше государство хранит для "
        "запрашиваемого органа. Чтобы подтвердить письмо, сообщите запрашиваемому органу "
        "наш номер и код проверки письма.",
        ES: "Verifique la firma del PDF con un lector de PDF o con pdfsig: la firma debe ser "
        "válida y abarcar todo el documento, y la huella SHA-256 del certificado debe ser la "
        "que su Estado tiene registrada para la autoridad requerida. Para confirmar la "
        "carta, comunique nuestra referencia y su código de verificación a la autoridad "
        "requerida.",
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
