#include "ui/version.h"
namespace maml::ui {
QString versionString() { return QStringLiteral(MAML_VERSION); }
}
