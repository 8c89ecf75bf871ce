// lifeline dashboard: the network page's supply map. The server lays the map out
// (GET map.json: positions, tiers, colour classes); this file only draws it with cytoscape
// (preset positions, no layout in the browser), shows an entity's scenario in the side
// panel (GET map/entities/ID) and wires the controls. The page's table lists the same
// entities without JavaScript.
"use strict";
(() => {
  const box = document.getElementById("supply-map");
  const status = document.getElementById("map-status");
  const panel = document.getElementById("entity-panel");
  if (!box || !panel || typeof window.cytoscape !== "function") {
    return;
  }
  const started = performance.now();
  status.textContent = "Loading the map…";

  // Above this many elements, trade detail for speed while panning and zooming.
  const BIG = 1500;
  // On a big map, lines are drawn once the view holds about this many entities or fewer.
  const EDGES_IN_VIEW = 2500;
  // Colour classes: 3:1 contrast or more against the white map (the legend says the same
  // in words; exposed entities also get a thick outline).
  const COLOURS = { exposed: "#b2182b", tight: "#b35806", covered: "#2166ac", untested: "#8c8c8c" };

  fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((reply) => {
      if (!reply.ok) {
        throw new Error(`the server answered ${reply.status}`);
      }
      return reply.json();
    })
    .then(draw)
    .catch((error) => {
      status.textContent = `The map could not be drawn (${error.message}); the table below lists every entity.`;
    });

  function draw(map) {
    const fetched = performance.now();
    const big = map.entities.length + map.links.length > BIG;
    const elements = [];
    // Tier headings scale with the map so that they stay readable when it is all in view,
    // and sit above everything (platforms included).
    const headingSize = Math.max(16, map.width / 90);
    const top = map.entities.reduce((lowest, e) => Math.min(lowest, e.y), 0);
    for (const tier of map.tiers) {
      elements.push({
        group: "nodes",
        data: { id: `tier-${tier.index}`, label: tier.label.replace(" · ", "\n"), width: Math.max(tier.width, 160) },
        position: { x: tier.x + tier.width / 2, y: top - 2 * headingSize - 20 },
        classes: "tier",
        selectable: false,
      });
    }
    map.entities.forEach((e, i) => {
      const size = e.kind === "node" ? 18 : Math.min(48, 20 + 6 * Math.sqrt(e.members));
      elements.push({
        group: "nodes",
        data: { id: `e${i}`, entity: e.id, label: e.id, size },
        position: { x: e.x, y: e.y },
        classes: `entity ${e.kind} ${e.status}`,
      });
    });
    map.links.forEach((l, i) => {
      elements.push({
        group: "edges",
        data: { id: `l${i}`, source: `e${l.source}`, target: `e${l.target}`, width: 1 + Math.log2(l.count) },
        classes: (l.dependency ? "dependency" : "flow") + (l.count > 1 ? " multi" : ""),
      });
    });

    const cy = window.cytoscape({
      container: box,
      elements,
      layout: { name: "preset" },
      style: [
        // Styles by class rather than per-element data where possible: cheaper to
        // compute for ten thousand elements.
        {
          selector: "node.entity",
          style: {
            width: 18,
            height: 18,
            "background-color": COLOURS.untested,
            "border-width": big ? 0 : 1.5,
            "border-color": "#1a1f24",
            label: "data(label)",
            "font-size": 11,
            "min-zoomed-font-size": 9,
            "text-valign": "bottom",
            "text-margin-y": 3,
            color: "#1a1f24",
            "text-background-color": "#ffffff",
            "text-background-opacity": big ? 0 : 0.8,
            "text-events": "no",
          },
        },
        { selector: "node.site, node.platform", style: { width: "data(size)", height: "data(size)" } },
        { selector: "node.exposed", style: { "background-color": COLOURS.exposed, "border-width": 4 } },
        { selector: "node.tight", style: { "background-color": COLOURS.tight } },
        { selector: "node.covered", style: { "background-color": COLOURS.covered } },
        { selector: "node.site", style: { shape: "round-rectangle" } },
        { selector: "node.platform", style: { shape: "hexagon" } },
        {
          selector: "node.tier",
          style: {
            shape: "rectangle",
            width: 1,
            height: 1,
            "background-opacity": 0,
            label: "data(label)",
            "font-size": headingSize,
            "text-wrap": "wrap",
            "text-max-width": "data(width)",
            "text-valign": "top",
            "font-weight": "bold",
            color: "#4a5560",
            "min-zoomed-font-size": 6,
            events: "no",
          },
        },
        {
          selector: "edge",
          style: {
            width: 1,
            "line-color": "#9aa5b1",
            "curve-style": big ? "haystack" : "straight",
            "target-arrow-shape": big ? "none" : "triangle",
            "target-arrow-color": "#9aa5b1",
            "arrow-scale": 0.8,
            opacity: big ? 0.45 : 0.9,
          },
        },
        { selector: "edge.multi", style: { width: "data(width)" } },
        { selector: "edge.far", style: { display: "none" } },
        {
          selector: "edge.dependency",
          style: Object.assign(
            { "line-style": "dashed", "line-color": "#6a51a3", "target-arrow-color": "#6a51a3" },
            // Bent, so a dependency does not run through the entities in line with it.
            big ? {} : { "curve-style": "unbundled-bezier", "control-point-distances": 60, "control-point-weights": 0.5 },
          ),
        },
        // The selection shows as a yellow ring beneath the node, keeping its colour.
        { selector: "node:selected", style: { "underlay-color": "#ffbf47", "underlay-opacity": 1, "underlay-padding": 7, "underlay-shape": "ellipse" } },
        { selector: "edge.near", style: { display: "element", "line-color": "#1a1f24", "target-arrow-color": "#1a1f24", opacity: 1 } },
      ],
      minZoom: 0.02,
      maxZoom: 4,
      boxSelectionEnabled: false,
      autoungrabify: true,
      selectionType: "single",
      motionBlur: false,
      pixelRatio: big ? 1 : "auto",
      hideEdgesOnViewport: big,
      // No viewport texture: its first snapshot of a 10,000-entity map froze the page for
      // about 0.8 s at the first zoom (BENCHMARKS.md); without it each frame redraws the
      // entities alone, lines and labels hidden, at the same frame rate.
      textureOnViewport: false,
      hideLabelsOnViewport: big,
    });
    // On a big map most of the drawing time goes to the lines, which are a grey haze when
    // the whole map is in view: they are drawn only once few enough entities are in view
    // (and always those of the selected entity).
    if (big) {
      const area = Math.max(1, map.width * map.height);
      const flows = cy.edges();
      let hidden = null;
      const thin = () => {
        const z = cy.zoom();
        const inView = map.entities.length * Math.min(1, (box.clientWidth / z) * (box.clientHeight / z) / area);
        const hide = inView > EDGES_IN_VIEW;
        if (hide !== hidden) {
          hidden = hide;
          cy.batch(() => (hide ? flows.addClass("far") : flows.removeClass("far")));
        }
      };
      let pending = 0;
      cy.on("viewport", () => {
        clearTimeout(pending);
        pending = setTimeout(thin, 120);
      });
      thin();
      document.getElementById("map-keys").append(
        " Lines between entities appear once you zoom in, and always for the selected entity.",
      );
    }
    cy.fit(undefined, 20);

    const byId = new Map();
    cy.nodes(".entity").forEach((n) => byId.set(n.data("entity"), n));

    cy.on("tap", "node.entity", (event) => select(event.target, false));
    cy.on("tap", (event) => {
      if (event.target === cy) {
        cy.elements(".near").removeClass("near");
      }
    });

    // Keyboard: arrows pan, + and - zoom, 0 shows the whole map.
    box.addEventListener("keydown", (event) => {
      const step = 80;
      const pans = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (pans[event.key]) {
        const [x, y] = pans[event.key];
        cy.panBy({ x, y });
      } else if (event.key === "+" || event.key === "=") {
        zoom(1.25);
      } else if (event.key === "-" || event.key === "_") {
        zoom(0.8);
      } else if (event.key === "0") {
        cy.fit(undefined, 20);
      } else {
        return;
      }
      event.preventDefault();
    });

    function zoom(factor) {
      cy.zoom({
        level: Math.min(cy.maxZoom(), Math.max(cy.minZoom(), cy.zoom() * factor)),
        renderedPosition: { x: box.clientWidth / 2, y: box.clientHeight / 2 },
      });
    }

    const enable = (id, handler) => {
      const button = document.getElementById(id);
      button.disabled = false;
      button.addEventListener("click", handler);
    };
    enable("map-zoom-in", () => zoom(1.5));
    enable("map-zoom-out", () => zoom(1 / 1.5));
    enable("map-fit", () => cy.fit(undefined, 20));

    const find = document.getElementById("map-find");
    const input = document.getElementById("map-find-input");
    input.disabled = false;
    find.querySelector("button").disabled = false;
    find.addEventListener("submit", (event) => {
      event.preventDefault();
      const wanted = input.value.trim();
      if (!wanted) {
        return;
      }
      let node = byId.get(wanted);
      if (!node) {
        const lower = wanted.toLowerCase();
        for (const [id, n] of byId) {
          if (id.toLowerCase().startsWith(lower)) {
            node = n;
            break;
          }
        }
      }
      if (node) {
        select(node, true);
      } else {
        status.textContent = `No entity “${wanted}” on the map.`;
      }
    });

    // The table: a button per row shows that entity on the map.
    for (const row of document.querySelectorAll("#entity-table tbody tr[data-entity]")) {
      const node = byId.get(row.dataset.entity);
      if (!node) {
        continue;
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "show-on-map";
      button.textContent = "Show on map";
      button.setAttribute("aria-label", `Show on map: ${row.dataset.entity}`);
      button.addEventListener("click", () => {
        select(node, true);
        box.scrollIntoView({ block: "nearest" });
      });
      row.querySelector("th").append(button);
    }

    function select(node, centre) {
      cy.elements(".near").removeClass("near");
      cy.nodes(":selected").unselect();
      node.select();
      node.connectedEdges().addClass("near");
      if (centre) {
        cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1) }, { duration: 250 });
      }
      showPanel(node.data("entity"), centre);
    }

    cy.one("render", () => {
      const drawn = performance.now();
      status.textContent = "";
      box.dataset.state = "ready";
      box.dataset.fetchMs = String(Math.round(fetched - started));
      box.dataset.drawMs = String(Math.round(drawn - started));
    });
    window.lifelineMap = cy;
  }

  let asked = 0;
  function showPanel(id, focus) {
    const ticket = ++asked;
    fetch(box.dataset.panel + encodeURIComponent(id), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((reply) => {
        if (!reply.ok) {
          throw new Error(`the server answered ${reply.status}`);
        }
        return reply.json();
      })
      .then((entity) => {
        if (ticket === asked) {
          renderPanel(entity, focus);
        }
      })
      .catch((error) => {
        if (ticket === asked) {
          panel.replaceChildren(heading(id), text("p", `The scenario could not be loaded (${error.message}).`));
        }
      });
  }

  function text(tag, content, className) {
    const element = document.createElement(tag);
    element.textContent = content;
    if (className) {
      element.className = className;
    }
    return element;
  }

  function heading(content) {
    const h = text("h2", content);
    h.id = "entity-panel-title";
    h.tabIndex = -1;
    return h;
  }

  function link(href, content) {
    const a = text("a", content);
    a.href = href;
    return a;
  }

  function table(caption, headers, rows) {
    const t = document.createElement("table");
    t.append(text("caption", caption));
    const head = document.createElement("tr");
    headers.forEach(([label, numeric]) => {
      const th = text("th", label, numeric ? "num" : "");
      th.scope = "col";
      head.append(th);
    });
    t.createTHead().append(head);
    const body = t.createTBody();
    for (const cells of rows) {
      const tr = document.createElement("tr");
      cells.forEach((cell, i) => tr.append(text("td", cell, headers[i][1] ? "num" : "")));
      body.append(tr);
    }
    return t;
  }

  function renderPanel(entity, focus) {
    const parts = [heading(entity.id)];
    if (entity.name) {
      parts.push(text("p", entity.name));
    }
    parts.push(text("p", `${entity.kind}. ${entity.status_words}.`, entity.status));
    const s = entity.scenario;
    if (s) {
      const facts = document.createElement("dl");
      facts.className = "facts";
      for (const [term, value, cls] of [
        ["Time to survive (TTS)", s.tts, ""],
        ["Time to recover (TTR)", s.ttr, ""],
        ["TTS − TTR", s.gap, entity.status],
        ["Units lost", s.lost_total, ""],
      ]) {
        const div = document.createElement("div");
        div.append(text("dt", term), text("dd", value, cls));
        facts.append(div);
      }
      parts.push(facts);
      parts.push(text("h3", "Units lost per hospital and item"));
      parts.push(
        s.lost.length
          ? table(
              "Over the TTR window",
              [["Hospital"], ["Item"], ["Units", true]],
              s.lost.map((l) => [l.hospital, l.item, l.units]),
            )
          : text("p", "No hospital loses demand: the alternatives cover it."),
      );
      parts.push(text("h3", "Rerouting plan"));
      parts.push(
        s.reroute.length
          ? table(
              "Who ships how much to whom over the TTR window",
              [["From"], ["To"], ["Material"], ["Units", true]],
              s.reroute.map((r) => [r.from + (r.from_disrupted ? " (disrupted)" : ""), r.to, r.material, r.units]),
            )
          : text("p", "No shipment is rerouted."),
      );
      const links = document.createElement("p");
      links.append(link(entity.href, "Open the full scenario"), " · ", link(s.simulate_href, "Simulate day by day"));
      parts.push(links);
    } else {
      parts.push(text("p", "The stress test has no scenario for this entity: it has no TTR, or no stress test has run yet."));
    }
    panel.replaceChildren(...parts);
    if (focus) {
      panel.querySelector("h2").focus();
    }
  }
})();
