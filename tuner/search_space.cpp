// The space as the product of the table's candidate values, pruned by its constraints.
#include "tuner/search_space.hpp"

#include "generator/checked.hpp"
#include <wino/errors.hpp>
#include "recipes/recipe_db.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

namespace wino {

std::string candidate_key(const Candidate& c) { return to_json(c).dump(); }

namespace {

// Every tile of the space. A square filter's are square: F(m×n) errs and
// costs between F(m) and F(n) then. Where one axis is untransformed (1×S, R×1,
// 1D), every m of the other. Where both are transformed, the square tiles and
// those whose axes share alpha (F(4×2, 3×5)): the product's alpha_h·alpha_w
// positions per m_h·m_w outputs are least near there, and the other pairs
// (81 for 3×5) would multiply the tuner's coarse step for little.
// Backward-filter's tiles are the widths of dy's chunks, 1×w for w in 2..9.
std::vector<TileSize> tiles_for(const ConvShape& s, Pass pass) {
    std::vector<TileSize> tiles;
    if (spec_of(pass).derivation == Derivation::chunked) {
        for (int w = min_chunk; w <= max_chunk; ++w) tiles.push_back({1, w});
        return tiles;
    }
    for (int h : standard_ms(s.R))
        for (int w : standard_ms(s.S))
            if (s.R == 1 || s.S == 1 || h == w || h + s.R == w + s.S) tiles.push_back({h, w});
    return tiles;
}

}  // namespace

Candidate without_inert(Candidate c, const KernelParams& start) {
    for (const ParamSpec& spec : param_table())
        if (spec.inert_when && c.params[*spec.inert_when][0]) c.params[spec.param] = start[spec.param];
    return c;
}

std::string refusal(const ConvShape& shape, const Candidate& given, Backend backend, const DeviceLimits& limits) {
    try {
        // Int8's clips are data the tuner gives each tile (TuneOptions::int8_clips),
        // not part of what the device can run: any of the tile's count stands in.
        Candidate c = given;
        if (spec_of(c.precision).quantized() && c.clips.empty())
            c.clips.taps.assign(static_cast<std::size_t>(tile_positions(shape, c)), 1.0f);
        validate_shape(shape, c);
        // The device's limits on what the pass's kernels compute.
        const ConvShape computed = pass_shape(shape, c.pass, c.m);
        check_params(c.params, {.kinds = spec_of(c.variant).kinds, .shape = &computed, .m = pass_tile(shape, c.pass, c.m),
                                .limits = &limits, .backend = backend, .precision = c.precision});
        check_device_limits(shape, c, limits);
    } catch (const InputError& refused) {
        return refused.what();
    } catch (const DeviceError& refused) {
        return refused.what();
    }
    return "";
}

namespace {

// Whether the candidate keeps the constraints that need neither the layer
// nor the device, of the parameters up to `last` in the table's order: those
// the space has given their values. A constraint reads its own parameter and
// earlier ones (the table's rule), so a later parameter still at its starting
// value cannot make an earlier value look refused.
bool keeps_value_constraints(const Candidate& c, const ParamSpec& last, Backend backend, Precision precision) {
    const ParamContext context{.kinds = spec_of(c.variant).kinds, .backend = backend, .precision = precision};
    for (const ParamSpec& spec : param_table()) {
        for (const ParamConstraint& constraint : spec.constraints)
            if (constraint.needs == ParamConstraint::Needs::value && !constraint.violation(spec, c.params, context).empty())
                return false;
        if (spec.param == last.param) break;
    }
    return true;
}

// What tells apart the space's candidates, which share its precision and
// epilogue: it orders them as candidate_key would, at a fraction of the cost
// of dumping JSON for each.
auto space_key(const Candidate& c) {
    std::vector<ParamValue> values;
    for (const ParamSpec& spec : param_table()) values.push_back(c.params[spec.param]);
    return std::tuple{c.variant, c.m.h, c.m.w, c.points, std::move(values)};
}

}  // namespace

std::vector<Candidate> search_space(const ConvShape& shape, Backend backend, const DeviceLimits& limits, Precision precision,
                                    Pass pass) {
    std::vector<Candidate> space;
    std::set<decltype(space_key(Candidate{}))> keys;
    auto add = [&](Candidate c) {
        c.precision = precision;
        c.pass = pass;
        auto key = space_key(c);
        if (keys.count(key) || !refusal(shape, c, backend, limits).empty()) return;
        keys.insert(std::move(key));
        space.push_back(c);
    };
    // Each start as run starts without tuning: fitted to the device at this precision.
    const auto fitted = [&](Candidate c) {
        c.precision = precision;
        return fit_to_device(std::move(c), backend, limits);
    };
    add(fitted(untuned_config(shape, limits.device_class, pass)));
    for (const VariantSpec& variant : variants()) {
        if (!variant.winograd) continue;
        for (const TileSize m : tiles_for(shape, pass)) {
            // Each (variant, m) group starts with its suggested parameters.
            const Candidate start =
                fitted({.variant = variant.variant, .m = m, .params = suggested_params(shape, m, limits.device_class, pass)});
            std::vector<Candidate> product = {start};
            add(start);
            for (const ParamSpec& spec : param_table()) {
                if (std::none_of(variant.kinds.begin(), variant.kinds.end(), [&](KernelKind k) { return applies_to(spec, k); }))
                    continue;
                std::vector<Candidate> grown;
                for (const Candidate& c : product)
                    for (const ParamValue& value : spec.candidates) {
                        Candidate next = c;
                        next.params[spec.param] = value;
                        grown.push_back(next);
                    }
                for (Candidate& c : grown) c = without_inert(c, start.params);
                // A value its own constraints refuse (tensor cores at fp32, say) is dropped
                // here, before the later parameters multiply it.
                std::erase_if(grown, [&](const Candidate& c) { return !keeps_value_constraints(c, spec, backend, precision); });
                product = std::move(grown);
            }
            for (const Candidate& c : product) add(c);
        }
    }
    return space;
}

}  // namespace wino
