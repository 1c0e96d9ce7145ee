/* The shell's URL callbacks, run in the browser (no server round trip): the district and period
   filters and the query string kept in step, and the navigation links carrying the query.
   Registered in app.py with ClientsideFunction("kcsp", ...). The server reads the same parameters
   with kcsp.urlstate (same names, same checks). */
(function () {
  "use strict";

  var MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
  var FILTER_KEYS = ["district", "from", "to"];
  var LINK_KEYS = ["district", "from", "to", "present"];
  var IN_PLACE = "/priority/";
  /* On /district/<slug> the path is the district: the filter shows it, and choosing another opens its page. */
  var DISTRICT_PAGE = /^\/district\/([^/]+)\/?$/;
  /* The filters' "no choice" values (components/shell.py). */
  var NONE = {district: "all", from: "earliest", to: "latest"};

  function month(value) {
    return value && MONTH.test(value) ? value : "";
  }

  function pageDistrict(pathname, districts) {
    var found = DISTRICT_PAGE.exec(pathname || "");
    return found && districts.indexOf(found[1]) >= 0 ? found[1] : "";
  }

  function readFilters(search, districts, pathname) {
    var params = new URLSearchParams(search || "");
    var district = pageDistrict(pathname, districts) || params.get("district") || "";
    var start = month(params.get("from"));
    var end = month(params.get("to"));
    if (start && end && start > end) {
      var earlier = end;
      end = start;
      start = earlier;
    }
    return {district: districts.indexOf(district) >= 0 ? district : NONE.district,
            from: start || NONE.from, to: end || NONE.to};
  }

  function query(pairs) {
    var text = new URLSearchParams(pairs).toString();
    return text ? "?" + text : "";
  }

  function withFilters(search, values) {
    var pairs = [];
    FILTER_KEYS.forEach(function (key) {
      if (values[key] && values[key] !== NONE[key]) {
        pairs.push([key, values[key]]);
      }
    });
    new URLSearchParams(search || "").forEach(function (value, key) {
      if (FILTER_KEYS.indexOf(key) < 0) {
        pairs.push([key, value]);
      }
    });
    return query(pairs);
  }

  function triggeredBy(id) {
    var triggered = window.dash_clientside.callback_context.triggered || [];
    return triggered.length === 0 || triggered.some(function (t) { return t.prop_id.split(".")[0] === id; });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.kcsp = {
    /* Outputs: url.search (the district changed on a priority page, which updates itself in place),
       _pages_location.search (anything else: Dash Pages renders the page again), _pages_location.pathname
       (another district chosen on a district's page opens that district's page; "All of Kent" the
       overview), and the three filter values (set from the URL when it changed). */
    syncFilters: function (search, district, start, end, pathname, districtOptions) {
      var none = window.dash_clientside.no_update;
      var districts = (districtOptions || []).map(function (o) { return o.value; });
      var shown = readFilters(search, districts, pathname);
      if (triggeredBy("url")) {
        return [none, none, none,
                shown.district !== district ? shown.district : none,
                shown.from !== start ? shown.from : none,
                shown.to !== end ? shown.to : none];
      }
      var chosen = {district: district || NONE.district, from: start || NONE.from, to: end || NONE.to};
      var onPage = pageDistrict(pathname, districts);
      if (onPage) {
        if (chosen.district === onPage && chosen.from === shown.from && chosen.to === shown.to) {
          return [none, none, none, none, none, none];
        }
        var rest = withFilters(search, {district: NONE.district, from: chosen.from, to: chosen.to});
        var path = chosen.district === NONE.district ? "/" : "/district/" + chosen.district;
        return [none, rest, path !== pathname ? path : none, none, none, none];
      }
      var next = withFilters(search, chosen);
      if (next === (search || "")) {
        return [none, none, none, none, none, none];
      }
      var inPlace = (pathname || "").indexOf(IN_PLACE) === 0 && document.getElementById("priority-trends-heading") !== null &&
        chosen.from === shown.from && chosen.to === shown.to;
      return [inPlace ? next : none, inPlace ? none : next, none, none, none, none];
    },

    /* Every navigation link carries the district (a district page's own included), period and committee
       mode (not page-only choices). */
    linkQuery: function (search, pathname, ids) {
      var params = new URLSearchParams(search || "");
      var here = DISTRICT_PAGE.exec(pathname || "");
      if (here) {
        params.set("district", here[1]);
      }
      var pairs = [];
      LINK_KEYS.forEach(function (key) {
        var value = params.get(key);
        if (value && (key === "district" || key === "present" || month(value))) {
          pairs.push([key, value]);
        }
      });
      var suffix = query(pairs);
      /* A district page's own link names its district in the path: the one chosen before is not carried. */
      var others = query(pairs.filter(function (pair) { return pair[0] !== "district"; }));
      return (ids || []).map(function (id) { return id.path + (DISTRICT_PAGE.test(id.path) ? others : suffix); });
    }
  };
})();
