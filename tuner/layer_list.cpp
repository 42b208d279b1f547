// Reading layer lists.
#include "tuner/layer_list.hpp"

#include "generator/checked.hpp"
#include <wino/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
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
        std::vector<std::string> words;
        for (std::string word; fields >> word;) words.push_back(word);
        if (words.empty()) continue;
        const std::string where = fmt::format("{}:{}: ", file.string(), number);
        if (words.size() != 8)
            throw InputError(fmt::format("{}expected 'name N C H W K R pad', got '{}'", where, line.substr(0, 120)));
        std::array<long long, layer_field_count> values{};
        for (std::size_t i = 0; i < 5; ++i) {
            const LayerField& f = layer_fields()[i];
            values[i] = parse_integer(words[i + 1], f.min, f.max, where + f.name);
        }
        const auto [R, S] = parse_filter_shape(words[6], where + "R", true);
        const Padding pad = parse_padding(words[7], R, S, where + "pad");
        values[5] = R, values[6] = S, values[7] = pad.top, values[8] = pad.bottom, values[9] = pad.left, values[10] = pad.right;
        layers.push_back({words[0], checked_shape(values, where)});
    }
    if (layers.empty()) throw InputError(fmt::format("layer list {} holds no layer", file.string()));
    return layers;
}

std::string layer_list_text(const std::vector<NamedLayer>& layers, const std::string& header) {
    std::string out = fmt::format("# {}\n# name N C H W K RxS pad\n", header);
    for (const NamedLayer& l : layers) {
        std::string name = l.name;
        std::replace_if(name.begin(), name.end(), [](char c) { return c == '#' || std::isspace(static_cast<unsigned char>(c)); }, '_');
        const ConvShape& s = l.shape;
        out += fmt::format("{} {} {} {} {} {} {} {}\n", name, s.N, s.C, s.H, s.W, s.K, filter_text(s), padding_text(s.pad));
    }
    return out;
}

}  // namespace wino
