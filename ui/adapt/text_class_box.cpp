#include "ui/adapt/text_class_box.h"
#include "ui/common/error_html.h"

#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace maml::ui {

QStringList nonEmptyLines(const QString& text)
{
    QStringList out;
    for (const auto& line : text.split(QLatin1Char('\n'))) {
        const QString t = line.trimmed();
        if (!t.isEmpty())
            out << t;
    }
    return out;
}

TextClassBox::TextClassBox(const QString& name, QWidget* parent) : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    m_name = new QLineEdit(name);
    m_name->setObjectName(QStringLiteral("textClassName"));
    m_name->setPlaceholderText(tr("class name"));
    m_name->setAlignment(Qt::AlignCenter);
    QFont bold = m_name->font();
    bold.setBold(true);
    m_name->setFont(bold);
    m_edit = new QPlainTextEdit;
    m_edit->setObjectName(QStringLiteral("textClassSentences"));
    m_edit->setPlaceholderText(tr("A few example sentences of this class, one per line"));
    m_edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_edit->setTabChangesFocus(true);
    m_count = new QLabel;
    m_count->setAlignment(Qt::AlignRight);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_name);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_count);
    connect(m_name, &QLineEdit::textChanged, this, &TextClassBox::changed);
    connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
        updateCount();
        Q_EMIT changed();
    });
    updateCount();
}

QString TextClassBox::name() const
{
    return m_name->text().trimmed();
}

void TextClassBox::setName(const QString& name)
{
    m_name->setText(name);
}

QStringList TextClassBox::sentences() const
{
    return nonEmptyLines(m_edit->toPlainText());
}

void TextClassBox::setSentences(const QStringList& sentences)
{
    m_edit->setPlainText(sentences.join(QLatin1Char('\n')));
}

void TextClassBox::updateCount()
{
    const int n = static_cast<int>(sentences().size());
    m_count->setText(n == 0 ? errorHtml(tr("no sentence yet")) : tr("%n sentence(s)", nullptr, n));
}

} // namespace maml::ui
