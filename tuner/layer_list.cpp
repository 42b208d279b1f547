// Reading layer lists.
#include "layer_list.hpp"

#include "errors.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace wino {

std::vector<NamedLayer> read_layer_list(const std::filesystem::path& file) {
    if (std::filesystem::is_directory(file)) throw InputError(fmt::format("layer list {} is a directory", file.string()));
    std::ifstream in(file);
    if (!in) throw InputError(fmt::format("cannot read layer list {}", file.string()));
    std::vector<NamedLayer> layers;
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        line = line.substr(0, line.find('#'));
        std::istringstream fields(line);
        NamedLayer l;
        if (!(fields >> l.name)) continue;
        ConvShape& s = l.shape;
        std::string extra;
        if (!(fields >> s.N >> s.C >> s.H >> s.W >> s.K >> s.R >> s.pad) || (fields >> extra))
            throw InputError(fmt::format("{}:{}: expected 'name N C H W K R pad', got '{}'", file.string(), number, line));
        for (int v : {s.N, s.C, s.H, s.W, s.K, s.R})
            if (v < 1) throw InputError(fmt::format("{}:{}: sizes must be at least 1", file.string(), number));
        if (s.pad < 0) throw InputError(fmt::format("{}:{}: pad must be at least 0", file.string(), number));
        layers.push_back(l);
    }
    if (layers.empty()) throw InputError(fmt::format("layer list {} holds no layer", file.string()));
    return layers;
}

}  // namespace wino
