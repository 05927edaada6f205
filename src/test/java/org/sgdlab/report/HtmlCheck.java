package org.sgdlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks that generated HTML is well-formed: after writing the HTML5 void elements in XML form and dropping
 * the doctype, the whole page must parse with the JDK's XML parser (so every tag is balanced and every
 * attribute quoted); ids are unique and every in-page link has a target.
 */
final class HtmlCheck {

    private HtmlCheck() {
    }

    static Document parse(String html) throws Exception {
        assertTrue(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">"), "HTML5 doctype and language");
        String x = html.substring("<!DOCTYPE html>\n".length())
                .replaceAll("<(meta|br|hr|img|input|link)(\\s[^>]*)?>", "<$1$2/>")
                .replace("//>", "/>");
        Document d = SvgTestUtil.parse(x);
        assertEquals("html", d.getDocumentElement().getLocalName());
        Set<String> ids = new HashSet<>();
        List<String> dup = new ArrayList<>();
        NodeList all = d.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (e.hasAttribute("id") && !ids.add(e.getAttribute("id"))) {
                dup.add(e.getAttribute("id"));
            }
        }
        assertTrue(dup.isEmpty(), "duplicate ids " + dup);
        Matcher m = Pattern.compile("href=\"#([^\"]+)\"").matcher(html);
        while (m.find()) {
            assertTrue(ids.contains(m.group(1)), "link to missing anchor #" + m.group(1));
        }
        for (String tag : new String[] {"head", "body", "main", "header"}) {
            assertEquals(1, d.getElementsByTagName(tag).getLength(), "exactly one <" + tag + ">");
        }
        return d;
    }

    static List<String> attr(Document d, String tag, String attr) {
        List<String> out = new ArrayList<>();
        NodeList nl = d.getElementsByTagName(tag);
        for (int i = 0; i < nl.getLength(); i++) {
            out.add(((Element) nl.item(i)).getAttribute(attr));
        }
        return out;
    }
}
