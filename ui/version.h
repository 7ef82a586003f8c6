#pragma once
#include <QString>
namespace maml::ui {
QString versionString();
}
