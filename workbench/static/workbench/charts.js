/*
 * Draws every chart of a workbench page from its JSON data island.
 *
 * Markup (written by templates/workbench/includes/chart.html):
 *   <div class="wb-chart" data-wb-chart="ID"></div>
 *   <script type="application/json" id="ID">{ ...an Apache ECharts option... }</script>
 *
 * The option is plain JSON built on the server (workbench/charts.py). Two conventions replace
 * JavaScript functions, which JSON cannot carry:
 *   "wbFormat": "percent" | "hours" | "minutes" | "number"  formats value axes, tooltips and labels
 *                                                            (percent: fractions 0..1 shown as %);
 *   a data item {"value": ..., "url": "..."}                 makes that bar or point a link.
 * Call WorkbenchCharts.renderAll(root) after inserting new markup (e.g. after an htmx swap).
 */
(function () {
  "use strict";

  var FORMATS = {
    percent: function (v) { return v == null || v === "-" ? "—" : (v * 100).toFixed(1) + " %"; },
    hours: function (v) { return v == null || v === "-" ? "—" : Number(v).toFixed(1) + " h"; },
    minutes: function (v) { return v == null || v === "-" ? "—" : Math.round(v) + " min"; },
    number: function (v) { return v == null || v === "-" ? "—" : Number(v).toLocaleString(); }
  };

  function formatter(name) { return FORMATS[name] || FORMATS.number; }

  function applyFormats(option) {
    var fmt = option.wbFormat;
    var axes = [].concat(option.yAxis || []);
    axes.forEach(function (axis) {
      if (axis.type === "value") {
        var f = formatter(axis.wbFormat || fmt);
        axis.axisLabel = Object.assign({}, axis.axisLabel, { formatter: f });
      }
    });
    var seriesFormats = (option.series || []).map(function (s) { return formatter(s.wbFormat || fmt); });
    if (option.tooltip) {
      option.tooltip.valueFormatter = function (v) { return formatter(fmt)(Array.isArray(v) ? v[2] : v); };
      if (option.tooltip.trigger === "axis") {
        option.tooltip.formatter = function (items) {
          var lines = [items[0].axisValueLabel];
          items.forEach(function (item) {
            var value = item.data && typeof item.data === "object" && !Array.isArray(item.data) ? item.data.value : item.data;
            lines.push(item.marker + (item.seriesName || "") + " <b>" + seriesFormats[item.seriesIndex](value) + "</b>");
          });
          return lines.join("<br>");
        };
      }
    }
    (option.series || []).forEach(function (s) {
      if (s.label && s.label.wbFormat) {
        var f = formatter(s.label.wbFormat);
        s.label.formatter = function (p) { return f(Array.isArray(p.value) ? p.value[2] : p.value); };
      }
    });
    if (option.visualMap && option.visualMap.wbFormat) {
      var vf = formatter(option.visualMap.wbFormat);
      option.visualMap.formatter = function (v) { return vf(v); };
    }
    return option;
  }

  function render(element) {
    if (element.dataset.wbRendered) { return; }
    var island = document.getElementById(element.dataset.wbChart);
    if (!island || typeof echarts === "undefined") { return; }
    var option = applyFormats(JSON.parse(island.textContent));
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", function (params) {
      if (params.data && typeof params.data === "object" && params.data.url) {
        window.location.href = params.data.url;
      }
    });
    element.dataset.wbRendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function renderAll(root) {
    (root || document).querySelectorAll("[data-wb-chart]").forEach(render);
  }

  window.WorkbenchCharts = { renderAll: renderAll, formats: FORMATS };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { renderAll(document); });
  } else {
    renderAll(document);
  }
})();
